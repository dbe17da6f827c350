package parley.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.protocol.ClientMessage;
import parley.protocol.ErrorCode;
import parley.protocol.ProtocolException;
import parley.protocol.ServerMessage;
import parley.room.Hub;
import parley.room.Ids;
import parley.room.Client;
import parley.room.Delivery;
import parley.room.Role;
import parley.room.RoomException;
import parley.room.RoomId;
import parley.room.RoomInfo;
import parley.room.RoomKind;
import parley.room.SessionId;
import parley.room.SignalPayload;
import parley.room.UserId;

/**
 * One browser tab's WebSocket, adapted to a domain {@link parley.room.Client}.
 *
 * <p>Frames are decoded and dispatched on the socket's event loop. Everything sent to the client, from
 * whatever thread, goes through one outbound queue drained on the event loop (see {@link LoopOutbox}),
 * so the client sees frames in the order they were handed over (a reply to a join before that room's
 * messages, an ack before its message).
 */
final class WsSession implements Client {
    private static final Logger log = LoggerFactory.getLogger(WsSession.class);
    /** The close code a client sends when it drops a silent socket to reconnect (and resume). */
    private static final short RESUMING = 4000;
    /** What Vert.x reports when the socket closed without a close frame. */
    private static final short ABNORMAL = 1006;
    /** The close code for a socket whose session another connection has resumed. */
    private static final short RESUMED_ELSEWHERE = 4001;
    /** The close code of a socket whose account session ended; 4401 echoes HTTP's 401. */
    static final short SESSION_ENDED = 4401;

    private final ServerWebSocket ws;
    /** The socket's Netty channel, for writes flushed together (see {@link #drain}); null for a test's fake socket. */
    private final ChannelHandlerContext channel;
    /** Netty's own void promise fires exceptionCaught for each failed write (a reset socket with frames queued). */
    private final ChannelPromise quietPromise;
    private final Context context;
    private final LoopOutbox outbox;
    private final Services services;
    private volatile SessionId sessionId = new SessionId(Ids.random("s_")); // or a resumed one, set by hello
    private final Queue<byte[]> outbound = new ConcurrentLinkedQueue<>(); // UTF-8 text frames
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean tooSlow;
    private final Who who;
    private volatile boolean helloed; // set once, on the event loop, by hello
    private volatile boolean sessionEnded; // its account session ended: closing, and not coming back
    /**
     * The connection was reset (TCP RST: read on the event loop), which something on the network between us does.
     * A socket that ends in an orderly way (FIN) without a WebSocket close frame was closed by the client's own
     * operating system: its browser crashed or was killed, and nothing is coming back to take the session up.
     */
    private boolean reset; // event loop only
    private Buffer partial; // the text message being reassembled, event loop only
    private boolean oversize;
    private final RateLimit rate; // event loop only
    private int refusedInARow; // messages refused by the rate limit since the last one let through
    private RateLimit reportRate; // call reports' own limit, made at the first report (most connections send none)
    private final long helloTimer;

    /**
     * Who this is, from the account session the upgrade carried: never from a message. {@code sessionKey}
     * names that session (the SHA-256 of its token, as stored), so that its end closes this socket.
     */
    record Who(UserId userId, String name, String sessionKey, boolean admin, long sessionExpires) {}

    WsSession(ServerWebSocket ws, Context context, LoopOutbox outbox, Services services, Who who, Runnable onClose) {
        this.ws = ws;
        this.channel = ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
        this.quietPromise = channel == null ? null : new io.netty.channel.VoidChannelPromise(channel.channel(), false);
        if (channel != null) channel.pipeline().addBefore(channel.name(), "parley-close-codes", CloseCodes.INSTANCE);
        this.who = who;
        this.context = context;
        this.outbox = outbox;
        this.services = services;
        WebServer.Guards guards = services.guards();
        this.rate = new RateLimit(guards.messagesPerSecond(), guards.messageBurst(), System.nanoTime());
        this.helloTimer = context.owner().setTimer(guards.helloTimeout().toMillis(), t -> {
            if (!helloed) ws.close((short) WebSocketCloseStatus.POLICY_VIOLATION.code(), "no hello in time");
        });
        ws.frameHandler(this::onFrame);
        ws.closeHandler(v -> {
            context.owner().cancelTimer(helloTimer);
            onClose.run();
            if (helloed) closed(ws.closeStatusCode());
        });
        ws.exceptionHandler(this::onFailure);
    }

    /**
     * Reassembles text messages from their frames, keeping at most {@code maxFrameBytes}: a longer
     * message is read to its end and dropped with {@code too_large}, and the connection lives on.
     * (A single frame beyond the hard limit never gets here: Netty closes the socket with 1009.)
     */
    private void onFrame(WebSocketFrame frame) {
        if (frame.isBinary()) {
            ws.close((short) WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "binary frames are not supported");
            return;
        }
        if (!frame.isText() && !frame.isContinuation()) return; // ping, pong and close are Vert.x's
        if (frame.isText()) {
            partial = null;
            oversize = false;
        }
        Buffer data = frame.binaryData();
        if (!oversize) {
            int size = (partial == null ? 0 : partial.length()) + data.length();
            if (size > services.maxFrameBytes()) {
                oversize = true;
                partial = null;
            } else if (partial == null && frame.isFinal()) {
                partial = data;
            } else {
                if (partial == null) partial = Buffer.buffer(Math.min(size * 2, services.maxFrameBytes()));
                partial.appendBuffer(data);
            }
        }
        if (!frame.isFinal()) return;
        if (!rate.take(System.nanoTime())) {
            partial = null;
            oversize = false;
            refused();
            return;
        }
        refusedInARow = 0;
        if (oversize) {
            oversize = false;
            error(null, ErrorCode.TOO_LARGE, "messages are limited to " + services.maxFrameBytes() + " bytes");
        } else {
            String text = utf8(partial);
            partial = null;
            if (text == null) {
                ws.close((short) WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "text is not valid UTF-8");
                return;
            }
            onText(text);
        }
    }

    /** One strict decoder per event-loop thread: a session must not carry one (memory per connection). */
    private static final ThreadLocal<java.nio.charset.CharsetDecoder> UTF8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT));

    /**
     * The text, or null when it is not valid UTF-8 (which RFC 6455 answers with 1007). The lenient decoder
     * is the fast one (ASCII is a single copy) and replaces every malformed sequence with U+FFFD; so text
     * without U+FFFD was valid, and only text with one (rare: the character itself, or bad input) is
     * decoded again strictly to tell which.
     */
    static String utf8(Buffer data) {
        String text = data.toString(StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) return text;
        try {
            return UTF8.get().reset().decode(java.nio.ByteBuffer.wrap(data.getBytes())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /**
     * A message over the rate limit is refused, unread. A client that goes on sending through a whole
     * burst's worth of refusals is not listening: it is disconnected, so that it costs no more replies.
     */
    private void refused() {
        WebServer.Guards guards = services.guards();
        if (++refusedInARow > guards.messageBurst()) {
            if (refusedInARow == guards.messageBurst() + 1) {
                log.info("disconnecting {}: it kept sending over the rate limit", sessionId);
                drain(); // the replies so far go before the close frame
                ws.close((short) WebSocketCloseStatus.POLICY_VIOLATION.code(), "too many messages");
            }
            return;
        }
        error(null, ErrorCode.RATE_LIMITED, "more than " + guards.messagesPerSecond() + " messages a second; this one was dropped");
    }

    /** Frame-level protocol violations close the socket with the code the WebSocket RFC gives them. */
    private void onFailure(Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException c) {
            ws.close((short) c.closeStatus().code(), c.closeStatus().reasonText());
        } else if (e instanceof TooLongFrameException) {
            ws.close((short) WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
        } else {
            if (e instanceof java.io.IOException) reset = true;
            log.debug("websocket {} failed: {}", sessionId, e.toString());
        }
    }

    @Override
    public SessionId sessionId() {
        return sessionId;
    }

    @Override
    public UserId userId() {
        return who.userId();
    }

    @Override
    public String name() {
        return who.name();
    }

    @Override
    public boolean admin() {
        return who.admin();
    }

    /** The account session this socket belongs to (its token's hash). */
    /** When the account session of this socket ends by itself (epoch ms). */
    long sessionExpires() {
        return who.sessionExpires();
    }

    String sessionKey() {
        return who.sessionKey();
    }

    /** The server is shutting down: close with 1001 (clients come back by themselves). Any thread. */
    void goingAway() {
        context.runOnContext(v -> ws.close((short) 1001, "server shutting down"));
    }

    /**
     * The account session ended (signed out, password changed elsewhere, account disabled): the socket
     * leaves its rooms and calls at once, not parked for a comeback, and closes with {@link #SESSION_ENDED}
     * (the client then asks the person to sign in). A client that does not finish the close handshake is
     * cut off after a second. Any thread.
     */
    void endSession() {
        context.runOnContext(v -> {
            if (sessionEnded) return;
            sessionEnded = true;
            if (helloed) services.hub().disconnect(this);
            ws.shutdown(java.time.Duration.ofSeconds(1), SESSION_ENDED, "the session ended: sign in again");
        });
    }

    @Override
    public void deliver(Delivery delivery) {
        services.metrics().deliveries.increment();
        enqueue(services.wire().encode(delivery, userId()));
    }

    private void reply(ServerMessage message) {
        enqueue(services.wire().encode(message));
    }

    private void error(String ref, ErrorCode code, String message) {
        services.metrics().refused(code);
        reply(new ServerMessage.Error(ref, code, message));
    }

    /**
     * Queues a frame for this client. The queue is bounded by {@code maxQueuedBytes}: a client that does
     * not read falls behind, and once it is that far behind it is disconnected with 1008 rather than
     * growing the server's memory.
     */
    private void enqueue(byte[] frame) {
        if (tooSlow) return;
        if (queued.addAndGet(frame.length) > services.maxQueuedBytes()) {
            tooSlow = true;
            context.runOnContext(v -> {
                log.info("disconnecting {}: more than {} bytes waiting to be sent", sessionId, services.maxQueuedBytes());
                // Leave the rooms now: the close frame waits behind data the client is not reading, so
                // the close handshake may never finish; shutdown() drops the connection after a second.
                if (helloed) services.hub().disconnect(this);
                ws.shutdown(java.time.Duration.ofSeconds(1), (short) WebSocketCloseStatus.POLICY_VIOLATION.code(),
                        "too slow: send queue full");
            });
            return;
        }
        outbound.add(frame);
        if (drainScheduled.compareAndSet(false, true)) outbox.ready(this);
    }

    /**
     * Writes queued frames while the socket takes them; runs on this session's event loop, called by
     * its {@link LoopOutbox}. When the socket's buffer is full it waits for the socket to drain, leaving
     * the rest in the (bounded) queue.
     *
     * <p>Frames go straight into the Netty channel and are flushed once, after the last: what queued up
     * meanwhile (several messages of one store commit, an ack and its own message) leaves in one
     * {@code write} system call instead of one each, which is most of what a delivery costs on a busy
     * server. Vert.x would flush every frame. A frame larger than {@code maxFrameBytes} goes through Vert.x,
     * which splits frames beyond its limit; it is written after the frames before it, on this same thread,
     * so the order holds. A socket that is not Vert.x's own (a test's fake) gets every frame through Vert.x's API.
     */
    void drain() {
        boolean unflushed = false;
        try {
            while (true) {
                drainScheduled.set(false);
                byte[] frame;
                while ((frame = outbound.peek()) != null) {
                    if (ws.isClosed() || channel != null && !channel.channel().isActive()) {
                        outbound.clear();
                        return;
                    }
                    if (channel != null ? !channel.channel().isWritable() : ws.writeQueueFull()) {
                        if (drainScheduled.compareAndSet(false, true)) {
                            resumeWhenWritten();
                            unflushed = false;
                        }
                        return;
                    }
                    outbound.poll();
                    queued.addAndGet(-frame.length);
                    if (channel != null && frame.length <= services.maxFrameBytes()) {
                        channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), quietPromise);
                        unflushed = true;
                    } else {
                        ws.writeTextMessage(new String(frame, StandardCharsets.UTF_8)); // Vert.x flushes it and what went before
                        unflushed = false;
                    }
                }
                if (outbound.isEmpty() || !drainScheduled.compareAndSet(false, true)) return;
            }
        } finally {
            if (unflushed) channel.flush();
        }
    }

    /**
     * Drains again once the socket has taken what it holds. Vert.x's drain handler watches Vert.x's queue,
     * which the direct writes bypass; so on a Vert.x socket an empty write is flushed behind them, and its
     * completion (everything before it reached the kernel, or the channel closed) resumes the drain.
     */
    private void resumeWhenWritten() {
        if (channel == null) {
            ws.drainHandler(v -> {
                ws.drainHandler(null);
                drain();
            });
            return;
        }
        ChannelPromise written = channel.newPromise();
        written.addListener(f -> drain());
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER, written);
    }

    private void onText(String frame) {
        if (helloed && !sessionEnded && !services.hub().holds(this)) {
            // Another connection resumed this session, taking this socket for dead: it may no longer act for it.
            ws.close(RESUMED_ELSEWHERE, "the session was resumed by another connection");
            return;
        }
        ClientMessage message;
        try {
            message = services.codec().decode(frame);
        } catch (ProtocolException e) {
            error(e.ref(), e.code(), e.getMessage());
            return;
        }
        try {
            dispatch(message);
        } catch (ProtocolException e) {
            error(message.ref(), e.code(), e.getMessage());
        } catch (RoomException e) {
            error(message.ref(), Wire.code(e.refusal()), e.getMessage());
        } catch (RuntimeException e) {
            log.error("bug while handling {} from {}", message.getClass().getSimpleName(), sessionId, e);
            error(message.ref(), ErrorCode.INTERNAL, "internal error; nothing was changed");
        }
    }

    private void dispatch(ClientMessage message) {
        if (!helloed && !(message instanceof ClientMessage.Hello)) {
            throw new ProtocolException(ErrorCode.HELLO_FIRST, "say hello first");
        }
        Hub hub = services.hub();
        switch (message) {
            case ClientMessage.Hello h -> hello(h);
            case ClientMessage.Ping p -> reply(new ServerMessage.Pong(p.ref()));
            case ClientMessage.ListRooms l -> listRooms(l.ref());
            case ClientMessage.CreateRoom c -> hub.createRoom(c.name(), c.topic(), c.isPrivate() ? RoomKind.PRIVATE : RoomKind.PUBLIC, this)
                    .whenComplete((room, e) -> roomAdded(c.ref(), room, e));
            case ClientMessage.Direct d -> hub.direct(this, new UserId(d.user())).whenComplete((room, e) -> roomAdded(d.ref(), room, e));
            case ClientMessage.FindUsers f -> hub.findPeople(f.query()).whenComplete((people, e) -> {
                if (e == null) reply(new ServerMessage.Users(f.ref(), people.stream()
                        .map(p -> new ServerMessage.UserView(p.id().value(), p.username(), p.name())).toList()));
                else fail(f.ref(), e);
            });
            case ClientMessage.Members m -> reply(Wire.members(m.ref(), hub.moderation().members(this, new RoomId(m.room()))));
            case ClientMessage.Invite i -> memberChanged(i.ref(), hub.moderation().invite(this, new RoomId(i.room()), new UserId(i.user())));
            case ClientMessage.SetRole r -> memberChanged(r.ref(), hub.moderation().setRole(this, new RoomId(r.room()), new UserId(r.user()), Role.of(r.role())));
            case ClientMessage.Kick k -> memberChanged(k.ref(), hub.moderation().remove(this, new RoomId(k.room()), new UserId(k.user()), false));
            case ClientMessage.Ban b -> memberChanged(b.ref(), hub.moderation().remove(this, new RoomId(b.room()), new UserId(b.user()), true));
            case ClientMessage.Unban u -> memberChanged(u.ref(), hub.moderation().unban(this, new RoomId(u.room()), new UserId(u.user())));
            case ClientMessage.Quit q -> hub.moderation().quit(this, new RoomId(q.room())).whenComplete((change, e) -> {
                if (e == null) reply(new ServerMessage.Removed(q.ref(), q.room(), "quit", Wire.person(change.by())));
                else fail(q.ref(), e);
            });
            case ClientMessage.DeleteRoom d -> hub.moderation().deleteRoom(this, new RoomId(d.room())).whenComplete((files, e) -> {
                if (e != null) {
                    fail(d.ref(), e);
                    return;
                }
                services.files().forget(files);
                reply(new ServerMessage.Removed(d.ref(), d.room(), "deleted", new ServerMessage.Person(userId().value(), name())));
            });
            case ClientMessage.Join j -> hub.join(this, new RoomId(j.room()), j.since(), j.ref());
            case ClientMessage.Leave l -> {
                hub.leave(this, new RoomId(l.room()));
                reply(new ServerMessage.Left(l.ref(), l.room()));
            }
            case ClientMessage.Send s -> hub.send(this, new RoomId(s.room()), s.clientId(), s.text(), newFile(s.file()),
                    s.replyTo() == null ? 0 : s.replyTo(), acked(s.ref(), s.room(), s.clientId()));
            case ClientMessage.Edit e -> hub.edit(this, new RoomId(e.room()), e.clientId(), e.target(), e.text(),
                    acked(e.ref(), e.room(), e.clientId()));
            case ClientMessage.Delete d -> hub.delete(this, new RoomId(d.room()), d.clientId(), d.target(),
                    acked(d.ref(), d.room(), d.clientId()));
            case ClientMessage.React r -> hub.react(this, new RoomId(r.room()), r.clientId(), r.target(), r.emoji(),
                    acked(r.ref(), r.room(), r.clientId()));
            case ClientMessage.History h -> hub.history(this, new RoomId(h.room()), h.before(), h.limit()).whenComplete((page, e) -> {
                if (e == null) reply(new ServerMessage.HistoryPage(h.ref(), h.room(), Wire.views(page.messages()), page.hasMore()));
                else fail(h.ref(), e);
            });
            case ClientMessage.Search q -> hub.search(this, q.query(), q.room() == null ? null : new RoomId(q.room()),
                    q.before() == null ? null : new parley.room.Search.Position(new RoomId(q.before().room()), q.before().seq()),
                    q.limit()).whenComplete((page, e) -> {
                if (e == null) reply(Wire.searchResults(q.ref(), page));
                else fail(q.ref(), e);
            });
            case ClientMessage.Typing t -> hub.typing(this, new RoomId(t.room()), t.active());
            case ClientMessage.CallJoin j -> hub.joinCall(this, new RoomId(j.room()), j.ref());
            case ClientMessage.CallMedia m -> hub.setMedia(this, new RoomId(m.room()),
                    new parley.room.Participant.Media(m.audio(), m.video(), m.screen()));
            case ClientMessage.CallLeave l -> {
                hub.leaveCall(this, new RoomId(l.room()));
                reply(new ServerMessage.CallLeft(l.ref(), l.room()));
            }
            case ClientMessage.FileLink f -> fileLink(f);
            case ClientMessage.Signal g -> hub.signal(this, new RoomId(g.room()), new SessionId(g.to()), g.description() != null
                    ? payload("description", g.description()) : payload("candidate", g.candidate()));
            case ClientMessage.FileSignal g -> hub.fileSignal(this, new RoomId(g.room()), new SessionId(g.to()), g.file(), fileSignal(g));
            case ClientMessage.IceServers i -> reply(new ServerMessage.IceServersReply(i.ref(),
                    services.ice().forUser(userId()), services.ice().policy()));
            case ClientMessage.Read r -> hub.read(this, new RoomId(r.room()), r.seq()).whenComplete((state, e) -> {
                if (e == null) reply(Wire.read(r.ref(), state));
                else fail(r.ref(), e);
            });
            case ClientMessage.Notify n -> hub.setNotify(this, new RoomId(n.room()), parley.room.ReadState.Notify.of(n.level()))
                    .whenComplete((level, e) -> {
                        if (e == null) reply(new ServerMessage.Notify(n.ref(), n.room(), level.wire()));
                        else fail(n.ref(), e);
                    });
            case ClientMessage.CallReport r -> callReport(r);
            case ClientMessage.Calls c -> hub.calls(this, new RoomId(c.room()), c.limit()).whenComplete((calls, e) -> {
                if (e == null) reply(new ServerMessage.CallsPage(c.ref(), c.room(), calls.stream().map(this::view).toList()));
                else fail(c.ref(), e);
            });
        }
    }

    /**
     * A participant's report of a call: within its own rate limit ({@code call-reports-per-minute}) and size
     * ({@code call-report-max-bytes}, the report as the server writes it), kept for the session's part in that call.
     */
    private void callReport(ClientMessage.CallReport r) {
        WebServer.CallReports limits = services.reports();
        long now = System.nanoTime();
        if (reportRate == null) reportRate = new RateLimit(limits.perMinute() / 60.0, limits.perMinute(), now);
        if (!reportRate.take(now)) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + limits.perMinute() + " call reports a minute; this one was dropped");
        }
        String report = services.codec().json(r.report());
        if (report.getBytes(StandardCharsets.UTF_8).length > limits.maxBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "call reports are limited to " + limits.maxBytes() + " bytes");
        }
        services.hub().report(this, new RoomId(r.room()), r.call(), r.last(), report).whenComplete((v, e) -> {
            if (e != null) {
                fail(r.ref(), e);
                return;
            }
            services.metrics().callReports.increment();
            reply(new ServerMessage.CallReported(r.ref(), r.room(), r.call()));
        });
    }

    private ServerMessage.CallView view(parley.room.CallLog.CallRecord call) {
        return new ServerMessage.CallView(call.id(), call.started(), call.ended(), call.participants().stream()
                .map(p -> new ServerMessage.CallParticipantView(p.who().sessionId().value(), p.who().userId().value(), p.who().name(),
                        p.joined(), p.left(), p.reported(), p.last(),
                        p.report() == null ? null : services.codec().report(p.report())))
                .toList());
    }

    /** The rooms this person may see, each with their read state in it. */
    private void listRooms(String ref) {
        Hub hub = services.hub();
        List<RoomInfo> rooms = hub.rooms(this);
        hub.readStates(this, rooms).whenComplete((states, e) -> {
            if (e != null) {
                fail(ref, e);
                return;
            }
            java.util.Map<RoomId, parley.room.ReadState> byRoom = new java.util.HashMap<>();
            for (parley.room.ReadState s : states) byRoom.put(s.room(), s);
            reply(new ServerMessage.Rooms(ref, rooms.stream().map(r -> Wire.view(r, byRoom.get(r.id()))).toList()));
        });
    }

    /** Answers a send or a change with its ack or its refusal; a deletion's file goes from the disk. */
    private Consumer<Hub.SendResult> acked(String ref, String room, String clientId) {
        return result -> {
            switch (result) {
                case Hub.SendResult.Accepted a -> {
                    if (!a.duplicate()) services.metrics().messages.increment();
                    reply(new ServerMessage.Ack(ref, room, clientId, a.message().seq(), a.message().ts(), a.duplicate(),
                            Wire.file(a.message())));
                    if (a.removedFile() != null) services.files().forget(List.of(a.removedFile()));
                }
                case Hub.SendResult.Refused r -> fail(ref, r.reason());
            }
        };
    }

    /** A decoded (so validated) signal field, as the opaque JSON the domain relays. */
    private SignalPayload payload(String field, Object value) {
        return new SignalPayload(field, services.codec().json(value));
    }

    private SignalPayload fileSignal(ClientMessage.FileSignal g) {
        if (g.description() != null) return payload("description", g.description());
        if (g.candidate() != null) return payload("candidate", g.candidate());
        return g.want() != null ? payload("want", g.want()) : payload("cancel", g.cancel());
    }

    private void roomAdded(String ref, RoomInfo room, Throwable e) {
        if (e == null) reply(new ServerMessage.RoomAdded(ref, Wire.view(room)));
        else fail(ref, e);
    }

    private void memberChanged(String ref, CompletableFuture<parley.room.Fact.MembershipChanged> change) {
        change.whenComplete((c, e) -> {
            if (e == null) reply(Wire.member(ref, c));
            else fail(ref, e);
        });
    }

    private Hub.NewFile newFile(ClientMessage.FileOffer f) {
        if (f == null) return null;
        if (f.size() > services.maxUploadBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "files are limited to " + services.maxUploadBytes() + " bytes");
        }
        var p = f.preview();
        return new Hub.NewFile(f.name(), f.size(), f.type(), f.sha256(),
                p == null ? null : new parley.room.SharedFile.Preview(p.image(), p.width(), p.height()));
    }

    /** A download link, for a member of the file's room, once its bytes are on the server. */
    private void fileLink(ClientMessage.FileLink f) {
        services.hub().fileIn(this, new RoomId(f.room()), f.file()).whenComplete((file, e) -> context.runOnContext(v -> {
            if (e != null) {
                error(f.ref(), ErrorCode.UNAVAILABLE, "storage is unavailable; ask again");
            } else if (file == null) {
                error(f.ref(), ErrorCode.NO_SUCH_FILE, "no such file in this room");
            } else if (!file.meta().stored()) {
                error(f.ref(), ErrorCode.NOT_UPLOADED, "the file is not on the server yet: its upload has not completed");
            } else {
                RoomFiles.ServerLink link = services.files().link(file.meta().id());
                reply(new ServerMessage.FileLinkReply(f.ref(), f.room(), file.meta().id(), link.url(), link.expires()));
            }
        }));
    }

    /** Identity came with the upgrade (the session cookie); hello says the client is ready, and may resume a session. */
    private void hello(ClientMessage.Hello h) {
        if (helloed) throw new ProtocolException(ErrorCode.BAD_STATE, "hello was already said");
        helloed = true;
        if (sessionEnded) return;
        // Welcome first: once connected, room_added broadcasts (or kept signals) may be queued for this session.
        Runnable welcome = () -> reply(new ServerMessage.Welcome(h.ref(), sessionId.value(), who.userId().value(), who.name(),
                services.limits()));
        if (h.resume() != null) {
            SessionId fresh = sessionId;
            sessionId = new SessionId(h.resume());
            if (services.hub().resume(this, welcome)) return;
            sessionId = fresh;
        }
        welcome.run();
        services.hub().connect(this);
    }

    /**
     * The socket closed. Reset by the network without a close frame, or closed with 4000 (the client gave up on
     * a silent socket and is reconnecting), a call participant keeps its place for {@code call-grace}. Any other
     * close leaves at once: the tab closed (1000, 1001), or the client's own system ended the socket without a
     * close frame (its browser crashed), or the server gave up on a silent one ({@code idle-timeout}). A client
     * whose network failed silently takes its session up with {@code resume} whenever it comes back within the
     * grace of its drop, whose socket {@link Hub#resume} parks then.
     */
    private void closed(Short code) {
        Hub hub = services.hub();
        boolean noCloseFrame = code == null || code == ABNORMAL;
        boolean comingBack = !sessionEnded && (noCloseFrame ? reset : code == RESUMING);
        if (comingBack && !services.callGrace().isZero() && hub.park(this)) {
            context.owner().setTimer(services.callGrace().toMillis(), t -> hub.expire(this));
        } else {
            hub.disconnect(this);
        }
    }

    /** The hub turns storage failures into refusals; anything else that fails is a bug. */
    private void fail(String ref, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RoomException r) {
            error(ref, Wire.code(r.refusal()), r.getMessage());
        } else {
            log.error("bug while answering {}", sessionId, cause);
            error(ref, ErrorCode.INTERNAL, "internal error");
        }
    }
}
