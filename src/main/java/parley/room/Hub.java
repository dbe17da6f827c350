package parley.room;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import parley.bus.Bus;
import parley.store.ChatStore;
import parley.store.ChatStore.AppendOutcome;
import parley.store.ChatStore.StoredMessage;

/**
 * The rooms of this node and the people in them: the domain's entry point.
 *
 * <p>A message goes: {@link #send} checks the sender is joined, the store makes it durable and numbers
 * it, the sender is told ({@link SendResult}), then the message is published on the room's bus channel,
 * and every node's {@link Room} delivers it to its members in seq order. Presence and typing take the
 * same bus path but are never stored.
 */
public final class Hub implements AutoCloseable {

    /** Limits the hub enforces; each is a setting (see the README). */
    public record Limits(int maxTextChars, int historyPageDefault, int historyPageMax, int catchupMax, int callMax) {}

    /** What became of a {@link #send}. */
    public sealed interface SendResult {
        record Accepted(ChatMessage message, boolean duplicate) implements SendResult {}

        record Refused(RoomException reason) implements SendResult {}
    }

    public record Page(RoomId room, List<ChatMessage> messages, boolean hasMore) {}

    private static final String ROOMS_CHANNEL = "rooms";

    private final ChatStore store;
    private final Bus<RoomEvent> bus;
    private final Limits limits;
    private final Clock clock;
    private final ConcurrentMap<RoomId, Room> rooms = new ConcurrentHashMap<>();
    private final ConcurrentMap<SessionId, Connection> connected = new ConcurrentHashMap<>();
    private final List<Bus.Subscription> subscriptions = new ArrayList<>();

    /**
     * {@code joined} is a copy-on-write set: a member joins a few rooms and seldom, and each of the many idle
     * connections keeps one (80 bytes for one room, against 200 for a concurrent hash set).
     */
    private record Connection(Member member, Set<RoomId> joined) {}

    private Hub(ChatStore store, Bus<RoomEvent> bus, Limits limits, Clock clock) {
        this.store = store;
        this.bus = bus;
        this.limits = limits;
        this.clock = clock;
    }

    /** Loads the rooms from the store and subscribes to their channels. */
    public static Hub open(ChatStore store, Bus<RoomEvent> bus, Limits limits, Clock clock) {
        Hub hub = new Hub(store, bus, limits, clock);
        hub.subscriptions.add(bus.subscribe(ROOMS_CHANNEL, hub::onRoomAdded));
        for (ChatStore.StoredRoom r : store.rooms().join()) {
            hub.addRoom(new Room(new RoomId(r.id()), r.name(), r.topic(), r.lastSeq()));
        }
        return hub;
    }

    private Room addRoom(Room room) {
        Room existing = rooms.putIfAbsent(room.id, room);
        if (existing != null) return existing;
        synchronized (subscriptions) {
            subscriptions.add(bus.subscribe(channel(room.id), room::onEvent));
        }
        return room;
    }

    private static String channel(RoomId id) {
        return "room." + id.value();
    }

    public void connect(Member member) {
        connected.put(member.sessionId(), new Connection(member, new CopyOnWriteArraySet<>()));
    }

    /** Leaves every room the member joined, telling the others. */
    public void disconnect(Member member) {
        Connection c = connected.get(member.sessionId());
        // A session that was parked and resumed belongs to its new member now.
        if (c == null || c.member() != member || !connected.remove(member.sessionId(), c)) return;
        for (RoomId id : c.joined()) exit(member, rooms.get(id));
    }

    /**
     * The member's socket dropped. If it is in a call, its session is parked: it keeps its seats in its
     * rooms and calls, and no one is told, until {@link #resume} gives them to a new connection or
     * {@link #expire} ends them. Returns false, changing nothing, when it is in no call.
     */
    public boolean park(Member member) {
        Connection c = connected.get(member.sessionId());
        if (c == null || c.member() != member) return false;
        boolean inCall = c.joined().stream().map(rooms::get).anyMatch(r -> r != null && r.inCall(member.sessionId()));
        if (!inCall) return false;
        Parked parked = new Parked(member);
        if (!connected.replace(member.sessionId(), c, new Connection(parked, c.joined()))) return false;
        for (RoomId id : c.joined()) {
            Room room = rooms.get(id);
            if (room != null) room.replace(parked, null);
        }
        return true;
    }

    /**
     * Gives a parked session to {@code member}, which has its session id, user and name: it is back in
     * its rooms and calls as if it had never left. {@code welcome} runs first, so that the new connection
     * hears of its session before the signals that were kept for it. Returns false when there is no such
     * parked session (it expired, or belongs to someone else); nothing has run then. The old socket may not
     * have been seen to close yet (a network failure can take minutes to show): its session is parked first.
     */
    public boolean resume(Member member, Runnable welcome) {
        Connection c = connected.get(member.sessionId());
        if (c == null || !c.member().userId().equals(member.userId()) || !c.member().name().equals(member.name())) return false;
        if (!(c.member() instanceof Parked) && (c.member() == member || !park(c.member()))) return false;
        c = connected.get(member.sessionId());
        if (c == null || !(c.member() instanceof Parked parked)) return false;
        if (!connected.replace(member.sessionId(), c, new Connection(member, c.joined()))) return false;
        welcome.run();
        for (RoomId id : c.joined()) {
            Room room = rooms.get(id);
            if (room != null) room.replace(member, parked);
        }
        return true;
    }

    /**
     * Whether the member holds its session: false once another connection has resumed it (the member's
     * socket was taken for dead, see {@link #resume}), and once the member has disconnected or parked.
     */
    public boolean holds(Member member) {
        Connection c = connected.get(member.sessionId());
        return c != null && c.member() == member;
    }

    /**
     * The grace period of {@code member}'s drop is over: if its session is still parked for that drop, it
     * leaves everything. A session that was resumed since is left as it is, even if its new connection
     * dropped in turn: that drop has a grace period of its own.
     */
    public void expire(Member member) {
        Connection c = connected.get(member.sessionId());
        if (c != null && c.member() instanceof Parked parked && parked.standsFor(member)) disconnect(parked);
    }

    public List<RoomInfo> rooms() {
        return rooms.values().stream().map(Room::info)
                .sorted(Comparator.comparing((RoomInfo r) -> r.name().toLowerCase()).thenComparing(r -> r.id().value()))
                .toList();
    }

    /** Creates a room; every connected member but {@code creator} (null for none) hears of it. */
    public CompletableFuture<RoomInfo> createRoom(String name, String topic, UserId createdBy, SessionId creator) {
        RoomId id = new RoomId(Ids.random("r_"));
        return store.createRoom(new ChatStore.NewRoom(id.value(), name, topic, createdBy == null ? null : createdBy.value(), clock.millis()))
                .handle((stored, error) -> {
                    if (error != null) throw refusal(error);
                    Room room = addRoom(new Room(id, stored.name(), stored.topic(), 0));
                    bus.publish(ROOMS_CHANNEL, new RoomEvent.RoomAdded(room.info(), creator));
                    return room.info();
                });
    }

    private void onRoomAdded(RoomEvent event) {
        if (!(event instanceof RoomEvent.RoomAdded added)) return;
        RoomInfo info = added.room();
        addRoom(new Room(info.id(), info.name(), info.topic(), info.lastSeq()));
        for (Connection c : connected.values()) {
            if (!c.member().sessionId().equals(added.creator())) c.member().deliver(added);
        }
    }

    /**
     * Joins the member to the room: it gets {@link RoomEvent.Entered} (carrying {@code ref}) before any
     * other event of the room, then, with {@code since}, every message after it (or a
     * {@link RoomEvent.Reset} when more than {@code catchupMax} were missed), then live events.
     */
    public void join(Member member, RoomId id, Long since, String ref) {
        Room room = room(id);
        Connection c = connection(member);
        c.joined().add(room.id); // the room's own id, not the one decoded from this request: one copy for all members
        Room.Entry entry = room.enter(member, since, ref);
        if (entry.added()) bus.publish(channel(id), new RoomEvent.PresenceChanged(id, member.info(), true));
        if (since == null) return;
        store.after(id.value(), since, limits.catchupMax() + 1)
                .thenCompose(missed -> missed.isEmpty() && since > 0 ? beyondEnd(id, since, missed) : CompletableFuture.completedFuture(missed))
                .whenComplete((missed, error) -> {
                    if (error != null || missed == null || missed.size() > limits.catchupMax()) {
                        room.caughtUp(entry, List.of(), true);
                    } else {
                        room.caughtUp(entry, missed.stream().map(Hub::toMessage).toList(), false);
                    }
                });
    }

    /**
     * Nothing after {@code since}: fine if the client is up to date, but if it holds more than the store
     * has (the database was restored from a backup, say) live delivery would skip everything up to its
     * {@code since}, so it is reset instead (null).
     */
    private CompletableFuture<List<StoredMessage>> beyondEnd(RoomId id, long since, List<StoredMessage> none) {
        return store.latest(id.value(), 1).thenApply(last -> {
            long stored = last.isEmpty() ? 0 : last.getFirst().seq();
            return since > stored ? null : none;
        });
    }

    public void leave(Member member, RoomId id) {
        Room room = room(id);
        Connection c = connected.get(member.sessionId());
        if (c == null || !c.joined().remove(id)) throw notJoined(id);
        exit(member, room);
    }

    private void exit(Member member, Room room) {
        if (room != null && room.exit(member.sessionId())) {
            bus.publish(channel(room.id), new RoomEvent.PresenceChanged(room.id, member.info(), false));
        }
    }

    /**
     * Stores a message and reports on {@code done} once it is durable (or refused); then publishes it.
     * {@code done} runs on the store's completion thread, before the message is delivered to anyone.
     */
    public void send(Member member, RoomId id, String clientId, String text, Consumer<SendResult> done) {
        send(member, id, clientId, text, null, done);
    }

    /**
     * As {@link #send(Member, RoomId, String, String, Consumer)}, sharing a file: the message and the file's
     * record are stored in one commit, under a new server-made file id; its bytes come later by HTTP.
     */
    public void send(Member member, RoomId id, String clientId, String text, NewFile file, Consumer<SendResult> done) {
        Room room;
        try {
            room = joinedRoom(member, id);
            if (text.length() > limits.maxTextChars()) {
                throw new RoomException(Refusal.TOO_LONG, "text is longer than " + limits.maxTextChars() + " characters");
            }
        } catch (RoomException e) {
            done.accept(new SendResult.Refused(e));
            return;
        }
        ChatStore.FileMeta meta = file == null ? null
                : new ChatStore.FileMeta(Ids.random("f_"), file.name(), file.size(), file.type(), file.sha256(), false);
        var message = new ChatStore.NewMessage(id.value(), member.userId().value(), member.name(), clientId, text,
                clock.millis(), meta);
        store.append(message, outcome -> {
            switch (outcome) {
                case AppendOutcome.Stored stored -> {
                    ChatMessage m = toMessage(stored.message());
                    done.accept(new SendResult.Accepted(m, stored.duplicate()));
                    if (!stored.duplicate()) bus.publish(channel(room.id), new RoomEvent.Posted(m));
                }
                case AppendOutcome.Failed failed -> done.accept(new SendResult.Refused(
                        new RoomException(Refusal.UNAVAILABLE, "the message could not be stored; retry with the same clientId")));
            }
        });
    }

    /** What a sender says of a file it shares (already checked and made safe by the protocol). */
    public record NewFile(String name, long size, String type, String sha256) {}

    /** Whether the user has a session in the room (on this node). */
    public boolean isMember(RoomId id, UserId user) {
        Room room = rooms.get(id);
        return room != null && room.hasUser(user);
    }

    public CompletableFuture<ChatStore.FileRecord> file(String fileId) {
        return store.file(fileId);
    }

    /** Tells the room's members that a file's bytes are on the server. */
    public void fileStored(RoomId id, String fileId) {
        bus.publish(channel(id), new RoomEvent.FileStored(id, fileId));
    }

    public CompletableFuture<Page> history(Member member, RoomId id, Long before, Integer limit) {
        joinedRoom(member, id);
        int n = Math.min(limit == null ? limits.historyPageDefault() : limit, limits.historyPageMax());
        var page = before == null ? store.latest(id.value(), n + 1) : store.before(id.value(), before, n + 1);
        return page.handle((stored, error) -> {
            if (error != null) throw refusal(error);
            boolean hasMore = stored.size() > n;
            List<ChatMessage> messages = stored.subList(hasMore ? 1 : 0, stored.size()).stream().map(Hub::toMessage).toList();
            return new Page(id, messages, hasMore);
        });
    }

    public void typing(Member member, RoomId id, boolean active) {
        joinedRoom(member, id);
        bus.publish(channel(id), new RoomEvent.TypingChanged(id, member.info(), active));
    }

    /** Joins the member to the room's call; it gets {@link RoomEvent.CallEntered}, the room a {@link RoomEvent.CallChanged}. */
    public void joinCall(Member member, RoomId id, String ref) {
        room(id).joinCall(member, limits.callMax(), ref);
    }

    public void setMedia(Member member, RoomId id, Participant.Media media) {
        room(id).setMedia(member.sessionId(), media);
    }

    public void leaveCall(Member member, RoomId id) {
        if (!room(id).leaveCall(member.sessionId())) {
            throw new RoomException(Refusal.NOT_IN_CALL, "you are not in the call in room " + id);
        }
    }

    /**
     * Relays WebRTC signalling between two participants of one call. Identity is the sender's session;
     * nothing is stored. (This node only, for now: the bus will carry signals between nodes.)
     */
    public void signal(Member member, RoomId id, SessionId to, Object payload) {
        room(id).relay(member.sessionId(), to, payload);
    }

    /** Relays file transfer signalling between two members of one room (this node only, as for calls). */
    public void fileSignal(Member member, RoomId id, SessionId to, String file, Object payload) {
        room(id).relayFile(member.sessionId(), to, file, payload);
    }

    public Limits limits() {
        return limits;
    }

    private Room room(RoomId id) {
        Room room = rooms.get(id);
        if (room == null) throw new RoomException(Refusal.NO_SUCH_ROOM, "no room " + id);
        return room;
    }

    private Room joinedRoom(Member member, RoomId id) {
        Room room = room(id);
        if (!room.has(member.sessionId())) throw notJoined(id);
        return room;
    }

    private Connection connection(Member member) {
        Connection c = connected.get(member.sessionId());
        if (c == null) throw new IllegalStateException("member " + member.sessionId() + " is not connected");
        return c;
    }

    private static RoomException notJoined(RoomId id) {
        return new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
    }

    private static RoomException refusal(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof RoomException r) return r;
        if (cause instanceof ChatStore.NameTakenException) return new RoomException(Refusal.NAME_TAKEN, cause.getMessage());
        return new RoomException(Refusal.UNAVAILABLE, "storage is unavailable; nothing was changed");
    }

    private static ChatMessage toMessage(StoredMessage m) {
        return new ChatMessage(new RoomId(m.roomId()), m.seq(), m.clientId(), new UserId(m.senderId()), m.senderName(),
                m.text(), m.ts(), m.file());
    }

    @Override
    public void close() {
        synchronized (subscriptions) {
            subscriptions.forEach(Bus.Subscription::close);
            subscriptions.clear();
        }
    }
}
