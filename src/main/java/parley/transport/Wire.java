package parley.transport;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import parley.protocol.ClientMessage;
import parley.protocol.Codec;
import parley.protocol.ErrorCode;
import parley.protocol.ServerMessage;
import parley.room.ChatMessage;
import parley.room.MemberInfo;
import parley.room.Participant;
import parley.room.Refusal;
import parley.room.RoomEvent;
import parley.room.Hub;
import parley.room.RoomInfo;
import parley.room.UserRef;

/** Translates domain events and refusals into wire messages, and encodes them. */
final class Wire {
    private final Codec codec;
    /**
     * The last broadcast event encoded: a room hands one event instance to all its members in a row,
     * under its lock, so one cached entry encodes each message, presence or typing event once instead of
     * once per member. {@link RoomEvent.Entered} and {@link RoomEvent.Reset} go to one member: not cached.
     */
    private final AtomicReference<Encoded> lastBroadcast = new AtomicReference<>();

    private record Encoded(RoomEvent event, byte[] json) {}

    Wire(Codec codec) {
        this.codec = codec;
    }

    /** The UTF-8 bytes of a text frame. */
    byte[] encode(ServerMessage m) {
        return codec.encodeUtf8(m);
    }

    /** The UTF-8 bytes of a text frame; shared by all the members an event is broadcast to: do not change them. */
    byte[] encode(RoomEvent event) {
        if (!(event instanceof RoomEvent.Posted || event instanceof RoomEvent.PresenceChanged
                || event instanceof RoomEvent.TypingChanged || event instanceof RoomEvent.RoomAdded
                || event instanceof RoomEvent.CallChanged || event instanceof RoomEvent.FileStored)) {
            return codec.encodeUtf8(toWire(event));
        }
        Encoded e = lastBroadcast.get();
        if (e != null && e.event() == event) return e.json();
        byte[] json = codec.encodeUtf8(toWire(event));
        lastBroadcast.set(new Encoded(event, json));
        return json;
    }

    static ServerMessage toWire(RoomEvent event) {
        return switch (event) {
            case RoomEvent.Entered e -> new ServerMessage.Joined(e.ref(), view(e.room()),
                    e.members().stream().map(Wire::view).toList(), participants(e.call()));
            case RoomEvent.Posted p -> {
                ChatMessage m = p.message();
                yield new ServerMessage.Message(m.room().value(), m.seq(), m.clientId(), sender(m), m.text(), m.ts(), file(m));
            }
            case RoomEvent.PresenceChanged p -> new ServerMessage.Presence(p.room().value(),
                    p.joined() ? "join" : "leave", view(p.member()));
            case RoomEvent.TypingChanged t -> new ServerMessage.Typing(t.room().value(), t.active(), view(t.member()));
            case RoomEvent.RoomAdded a -> new ServerMessage.RoomAdded(null, view(a.room()));
            case RoomEvent.FileStored f -> new ServerMessage.FileStored(f.room().value(), f.fileId());
            case RoomEvent.Reset r -> new ServerMessage.Reset(r.room().value(), r.lastSeq());
            case RoomEvent.CallChanged c -> new ServerMessage.Call(c.room().value(), participants(c.participants()));
            case RoomEvent.SignalRelayed r -> switch (r.payload()) {
                case ClientMessage.Description d -> new ServerMessage.Signal(r.room().value(), view(r.from()), d, null);
                case ClientMessage.Candidate c -> new ServerMessage.Signal(r.room().value(), view(r.from()), null, c);
                default -> throw new IllegalArgumentException("not a signal: " + r.payload());
            };
            case RoomEvent.FileSignalRelayed r -> {
                String room = r.room().value();
                yield switch (r.payload()) {
                    case ClientMessage.Description d -> new ServerMessage.FileSignal(room, view(r.from()), r.file(), d, null, null, null);
                    case ClientMessage.Candidate c -> new ServerMessage.FileSignal(room, view(r.from()), r.file(), null, c, null, null);
                    case Long want -> new ServerMessage.FileSignal(room, view(r.from()), r.file(), null, null, want, null);
                    case Boolean cancel -> new ServerMessage.FileSignal(room, view(r.from()), r.file(), null, null, null, cancel);
                    default -> throw new IllegalArgumentException("not a file signal: " + r.payload());
                };
            }
            case RoomEvent.MemberChanged m -> member(null, m);
            case RoomEvent.Removed r -> new ServerMessage.Removed(r.ref(), r.room().value(), r.reason(), person(r.by()));
            case RoomEvent.RoomDeleted d -> throw new IllegalArgumentException("a deleted room reaches people as Removed");
            case RoomEvent.CallEntered c -> throw new IllegalArgumentException("call_joined needs the ICE servers: see WsSession");
        };
    }

    static ServerMessage.RoomView view(RoomInfo r) {
        return new ServerMessage.RoomView(r.id().value(), r.name(), r.topic(), r.lastSeq(), r.online(), r.kind().wire(),
                r.role() == null ? null : r.role().wire(), r.with() == null ? null : person(r.with()));
    }

    static ServerMessage.Person person(UserRef u) {
        return u == null ? null : new ServerMessage.Person(u.id().value(), u.name());
    }

    static ServerMessage.Member member(String ref, RoomEvent.MemberChanged m) {
        return new ServerMessage.Member(ref, m.room().value(), person(m.user()), m.role() == null ? null : m.role().wire(),
                m.reason(), person(m.by()));
    }

    static ServerMessage.Members members(String ref, Hub.Members m) {
        return new ServerMessage.Members(ref, m.room().value(),
                m.members().stream().map(r -> new ServerMessage.RoomMemberView(r.user().id().value(), r.user().name(), r.role().wire())).toList(),
                m.banned() == null ? null : m.banned().stream().map(Wire::person).toList());
    }

    static ServerMessage.ParticipantView view(Participant p) {
        MemberInfo m = p.member();
        return new ServerMessage.ParticipantView(m.sessionId().value(), m.userId().value(), m.name(), p.order(),
                p.media().audio(), p.media().video(), p.media().screen());
    }

    static List<ServerMessage.ParticipantView> participants(List<Participant> participants) {
        return participants.stream().map(Wire::view).toList();
    }

    static ServerMessage.MemberView view(MemberInfo m) {
        return new ServerMessage.MemberView(m.sessionId().value(), m.userId().value(), m.name());
    }

    static ServerMessage.Sender sender(ChatMessage m) {
        return new ServerMessage.Sender(m.senderId().value(), m.senderName());
    }

    static List<ServerMessage.MessageView> views(List<ChatMessage> messages) {
        return messages.stream()
                .map(m -> new ServerMessage.MessageView(m.seq(), m.clientId(), sender(m), m.text(), m.ts(), file(m)))
                .toList();
    }

    static ServerMessage.FileView file(ChatMessage m) {
        var f = m.file();
        return f == null ? null : new ServerMessage.FileView(f.id(), f.name(), f.size(), f.type(), f.sha256(), f.stored());
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
            case LIMIT_REACHED -> ErrorCode.LIMIT_REACHED;
            case BAD_STATE -> ErrorCode.BAD_STATE;
        };
    }
}
