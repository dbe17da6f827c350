package parley.transport;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import parley.protocol.Codec;
import parley.protocol.ErrorCode;
import parley.protocol.ServerMessage;
import parley.room.ChatMessage;
import parley.room.ClientInfo;
import parley.room.Participant;
import parley.room.Refusal;
import parley.room.Delivery;
import parley.room.Fact;
import parley.room.Hub;
import parley.room.Moderation;
import parley.room.ReadState;
import parley.room.RoomInfo;
import parley.room.SignalPayload;
import parley.room.UserId;
import parley.room.UserRef;

/** Translates domain deliveries and refusals into wire messages, and encodes them. */
final class Wire {
    private final Codec codec;
    private final IceServers ice;
    /**
     * The last shared delivery encoded: a room hands one {@link Delivery.Shared} instance to all its seats
     * in a row, under its lock, so one cached entry encodes each message, presence or typing event once
     * instead of once per member. Other deliveries are made for one connection: not cached.
     */
    private final AtomicReference<Encoded> lastShared = new AtomicReference<>();

    private record Encoded(Delivery.Shared delivery, byte[] json) {}

    /** {@code ice}: the ICE servers that the reply to call_join carries, with credentials for its user. */
    Wire(Codec codec, IceServers ice) {
        this.codec = codec;
        this.ice = ice;
    }

    /** The UTF-8 bytes of a text frame. */
    byte[] encode(ServerMessage m) {
        return codec.encodeUtf8(m);
    }

    /**
     * The UTF-8 bytes of a text frame for {@code user}'s connection. A shared delivery's bytes are shared by
     * every member it goes to: do not change them.
     */
    byte[] encode(Delivery delivery, UserId user) {
        if (!(delivery instanceof Delivery.Shared shared)) return codec.encodeUtf8(toWire(delivery, user));
        Encoded e = lastShared.get();
        if (e != null && e.delivery() == shared) return e.json();
        byte[] json = codec.encodeUtf8(toWire(delivery, user));
        lastShared.set(new Encoded(shared, json));
        return json;
    }

    private ServerMessage toWire(Delivery delivery, UserId user) {
        return switch (delivery) {
            case Delivery.Entered e -> new ServerMessage.Joined(e.ref(), view(e.info()),
                    e.members().stream().map(Wire::view).toList(), participants(e.call()));
            case Fact.Posted p -> {
                ServerMessage.MessageView v = view(p.message());
                yield new ServerMessage.Message(p.room().value(), v.seq(), v.clientId(), v.from(), v.kind(), v.target(),
                        v.text(), v.emoji(), v.added(), v.ts(), v.edited(), v.deleted(), v.file(), v.reactions(), v.reply(),
                        v.mentions(), v.mentionsRoom());
            }
            case Fact.PresenceChanged p -> new ServerMessage.Presence(p.room().value(),
                    p.joined() ? "join" : "leave", view(p.client()));
            case Fact.TypingChanged t -> new ServerMessage.Typing(t.room().value(), t.active(), view(t.client()));
            case Delivery.RoomAdded a -> new ServerMessage.RoomAdded(null, view(a.info()));
            case Fact.FileStored f -> new ServerMessage.FileStored(f.room().value(), f.fileId());
            case Delivery.Reset r -> new ServerMessage.Reset(r.room().value(), r.lastSeq());
            case Delivery.CallEntered c -> new ServerMessage.CallJoined(c.ref(), c.room().value(), c.call(), view(c.you()),
                    participants(c.participants()), ice.forUser(user), ice.policy());
            case Delivery.CallChanged c -> new ServerMessage.Call(c.room().value(), participants(c.participants()));
            case Fact.Signal g -> new ServerMessage.Signal(g.room().value(), view(g.from()),
                    raw(g.payload(), "description"), raw(g.payload(), "candidate"));
            case Fact.FileSignal g -> new ServerMessage.FileSignal(g.room().value(), view(g.from()), g.file(),
                    raw(g.payload(), "description"), raw(g.payload(), "candidate"), raw(g.payload(), "want"), raw(g.payload(), "cancel"));
            case Fact.MembershipChanged m -> member(null, m);
            case Delivery.Removed r -> new ServerMessage.Removed(r.ref(), r.room().value(), r.reason(), person(r.by()));
            case Fact.ReadMoved r -> read(null, r.state());
            case Fact.NotifyChanged n -> new ServerMessage.Notify(null, n.room().value(), n.level().wire());
        };
    }

    /** The payload's JSON when it is that field's, else null (the field is left out). */
    private static String raw(SignalPayload payload, String field) {
        return payload.field().equals(field) ? payload.json() : null;
    }

    static ServerMessage.RoomView view(RoomInfo r) {
        return new ServerMessage.RoomView(r.id().value(), r.name(), r.topic(), r.lastSeq(), r.online(), r.kind().wire(),
                r.role() == null ? null : r.role().wire(), r.with() == null ? null : person(r.with()));
    }

    static ServerMessage.Read read(String ref, ReadState s) {
        return new ServerMessage.Read(ref, s.room().value(), s.read(), s.unread(), s.mentions(), s.lastSeq());
    }

    /** The room as {@code rooms} shows it: with the viewer's read state, and the room's last seq as counted if later. */
    static ServerMessage.RoomView view(RoomInfo r, ReadState s) {
        if (s == null) return view(r);
        String notify = (s.level() == null ? ReadState.Notify.byDefault(r.kind()) : s.level()).wire();
        return new ServerMessage.RoomView(r.id().value(), r.name(), r.topic(), Math.max(r.lastSeq(), s.lastSeq()), r.online(),
                r.kind().wire(), r.role() == null ? null : r.role().wire(), r.with() == null ? null : person(r.with()),
                s.read(), s.unread(), s.mentions(), notify);
    }

    static ServerMessage.Person person(UserRef u) {
        return u == null ? null : new ServerMessage.Person(u.id().value(), u.name());
    }

    static ServerMessage.Member member(String ref, Fact.MembershipChanged m) {
        return new ServerMessage.Member(ref, m.room().value(), person(m.user()), m.role() == null ? null : m.role().wire(),
                m.reason(), person(m.by()));
    }

    static ServerMessage.Members members(String ref, Moderation.Members m) {
        return new ServerMessage.Members(ref, m.room().value(),
                m.members().stream().map(r -> new ServerMessage.RoomMemberView(r.user().id().value(), r.user().name(), r.role().wire())).toList(),
                m.banned() == null ? null : m.banned().stream().map(Wire::person).toList());
    }

    static ServerMessage.ParticipantView view(Participant p) {
        ClientInfo m = p.client();
        return new ServerMessage.ParticipantView(m.sessionId().value(), m.userId().value(), m.name(), p.order(),
                p.media().audio(), p.media().video(), p.media().screen());
    }

    static List<ServerMessage.ParticipantView> participants(List<Participant> participants) {
        return participants.stream().map(Wire::view).toList();
    }

    static ServerMessage.MemberView view(ClientInfo m) {
        return new ServerMessage.MemberView(m.sessionId().value(), m.userId().value(), m.name());
    }

    static ServerMessage.Sender sender(ChatMessage m) {
        return new ServerMessage.Sender(m.senderId().value(), m.senderName());
    }

    static ServerMessage.SearchResults searchResults(String ref, Hub.SearchPage page) {
        return new ServerMessage.SearchResults(ref, page.results().stream().map(f -> {
            ChatMessage m = f.message();
            return new ServerMessage.SearchHit(m.room().value(), m.seq(), sender(m), m.ts(), m.edited(), m.text(),
                    f.matches().stream().map(r -> List.of(r.start(), r.end())).toList());
        }).toList(), page.hasMore());
    }

    static List<ServerMessage.MessageView> views(List<ChatMessage> messages) {
        return messages.stream().map(Wire::view).toList();
    }

    /**
     * An entry as the wire shows it: a message with its text, file and state; an edit with its text; a
     * deletion and a reaction with no text (a reaction with its emoji).
     */
    static ServerMessage.MessageView view(ChatMessage m) {
        boolean message = m.kind() == ChatMessage.Kind.MESSAGE;
        String text = message || m.kind() == ChatMessage.Kind.EDIT ? m.text() : null;
        var deleted = m.deleted() == null ? null : new ServerMessage.DeletedView(person(m.deleted().by()), m.deleted().ts());
        var reactions = m.reactions().isEmpty() ? null : m.reactions().stream()
                .map(r -> new ServerMessage.ReactionView(r.emoji(), r.by().size(), r.by().stream().map(Wire::person).toList()))
                .toList();
        var mentions = m.mentions().people().isEmpty() ? null : m.mentions().people().stream()
                .map(p -> new ServerMessage.MentionView(p.user().value(), p.username())).toList();
        return new ServerMessage.MessageView(m.seq(), m.clientId(), sender(m), m.kind().wire(), message ? null : m.target(),
                text, m.emoji(), m.added(), m.ts(), m.edited(), deleted, file(m), reactions, reply(m.reply()), mentions,
                m.mentions().room() ? Boolean.TRUE : null);
    }

    private static ServerMessage.ReplyView reply(ChatMessage.Reply r) {
        return r == null ? null : new ServerMessage.ReplyView(r.seq(), person(r.from()), r.text(), r.file(), r.deleted() ? true : null);
    }

    static ServerMessage.FileView file(ChatMessage m) {
        var f = m.file();
        if (f == null) return null;
        var p = f.preview();
        return new ServerMessage.FileView(f.id(), f.name(), f.size(), f.type(), f.sha256(), f.stored(),
                p == null ? null : new ServerMessage.PreviewView(p.image(), p.width(), p.height()));
    }

    static ErrorCode code(Refusal refusal) {
        return switch (refusal) {
            case NO_SUCH_ROOM -> ErrorCode.NO_SUCH_ROOM;
            case NOT_JOINED -> ErrorCode.NOT_JOINED;
            case NAME_TAKEN -> ErrorCode.NAME_TAKEN;
            case TOO_LONG -> ErrorCode.BAD_MESSAGE;
            case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
            case NOT_IN_CALL -> ErrorCode.NOT_IN_CALL;
            case CALL_FULL -> ErrorCode.CALL_FULL;
            case NO_SUCH_PARTICIPANT -> ErrorCode.NO_SUCH_PARTICIPANT;
            case FORBIDDEN -> ErrorCode.FORBIDDEN;
            case NO_SUCH_USER -> ErrorCode.NO_SUCH_USER;
            case NO_SUCH_MESSAGE -> ErrorCode.NO_SUCH_MESSAGE;
            case LIMIT_REACHED -> ErrorCode.LIMIT_REACHED;
            case BAD_STATE -> ErrorCode.BAD_STATE;
            case RATE_LIMITED -> ErrorCode.RATE_LIMITED;
        };
    }
}
