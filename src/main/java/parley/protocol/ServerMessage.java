package parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** Every message the server sends, one record per {@code type}. Null fields are left out. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ServerMessage.Welcome.class, name = "welcome"),
    @JsonSubTypes.Type(value = ServerMessage.Pong.class, name = "pong"),
    @JsonSubTypes.Type(value = ServerMessage.Rooms.class, name = "rooms"),
    @JsonSubTypes.Type(value = ServerMessage.RoomAdded.class, name = "room_added"),
    @JsonSubTypes.Type(value = ServerMessage.Joined.class, name = "joined"),
    @JsonSubTypes.Type(value = ServerMessage.Left.class, name = "left"),
    @JsonSubTypes.Type(value = ServerMessage.Presence.class, name = "presence"),
    @JsonSubTypes.Type(value = ServerMessage.Reset.class, name = "reset"),
    @JsonSubTypes.Type(value = ServerMessage.Ack.class, name = "ack"),
    @JsonSubTypes.Type(value = ServerMessage.Message.class, name = "message"),
    @JsonSubTypes.Type(value = ServerMessage.HistoryPage.class, name = "history"),
    @JsonSubTypes.Type(value = ServerMessage.Typing.class, name = "typing"),
    @JsonSubTypes.Type(value = ServerMessage.Error.class, name = "error"),
    @JsonSubTypes.Type(value = ServerMessage.CallJoined.class, name = "call_joined"),
    @JsonSubTypes.Type(value = ServerMessage.CallLeft.class, name = "call_left"),
    @JsonSubTypes.Type(value = ServerMessage.Call.class, name = "call"),
    @JsonSubTypes.Type(value = ServerMessage.Signal.class, name = "signal"),
    @JsonSubTypes.Type(value = ServerMessage.FileStored.class, name = "file_stored"),
    @JsonSubTypes.Type(value = ServerMessage.FileLinkReply.class, name = "file_link"),
    @JsonSubTypes.Type(value = ServerMessage.FileSignal.class, name = "file_signal"),
    @JsonSubTypes.Type(value = ServerMessage.IceServersReply.class, name = "ice_servers"),
    @JsonSubTypes.Type(value = ServerMessage.Users.class, name = "users"),
    @JsonSubTypes.Type(value = ServerMessage.Members.class, name = "members"),
    @JsonSubTypes.Type(value = ServerMessage.Member.class, name = "member"),
    @JsonSubTypes.Type(value = ServerMessage.Removed.class, name = "removed"),
    @JsonSubTypes.Type(value = ServerMessage.Read.class, name = "read"),
    @JsonSubTypes.Type(value = ServerMessage.Notify.class, name = "notify"),
    @JsonSubTypes.Type(value = ServerMessage.SearchResults.class, name = "search"),
    @JsonSubTypes.Type(value = ServerMessage.CallReported.class, name = "call_reported"),
    @JsonSubTypes.Type(value = ServerMessage.CallsPage.class, name = "calls"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerMessage {

    /**
     * What the client must keep within; {@code catchupMax}: the most missed messages a {@code join} with
     * {@code since} replays (beyond it, {@code reset}); {@code messagesPerSecond} and {@code messageBurst}: its rate limit;
     * {@code unreadCountMax}: the most unread messages a room's {@code unread} counts.
     */
    record Limits(int maxFrameBytes, int maxTextChars, int historyPageMax, int catchupMax, int messagesPerSecond,
                  int messageBurst, int unreadCountMax) {}

    /**
     * {@code role}: the viewer's role (none in a public room without one); {@code with}: a direct room's other
     * person; {@code read}, {@code unread}, {@code mentions}, {@code notify}: the viewer's read state (in {@code rooms} only).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RoomView(String id, String name, String topic, long lastSeq, int online, String kind, String role, Person with,
                    Long read, Integer unread, Integer mentions, @com.fasterxml.jackson.annotation.JsonProperty("notify") String level) {
        public RoomView(String id, String name, String topic, long lastSeq, int online, String kind, String role, Person with) {
            this(id, name, topic, lastSeq, online, kind, role, with, null, null, null, null);
        }
    }

    /** A person a message mentions, and the username it names them by. */
    record MentionView(String userId, String username) {}

    record Person(String userId, String name) {}

    record UserView(String userId, String username, String name) {}

    record RoomMemberView(String userId, String name, String role) {}

    record MemberView(String sessionId, String userId, String name) {}

    record Sender(String userId, String name) {}

    /**
     * {@code stored}: the bytes are on the server, so a {@code file_link} gets a download link; {@code preview}:
     * the sender's thumbnail, if it made one.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FileView(String id, String name, long size, String type, String sha256, boolean stored, PreviewView preview) {}

    /** A thumbnail as a {@code data:} URL, and the size in pixels of the full picture. */
    record PreviewView(String image, int width, int height) {}

    /** A deleted message's tombstone. */
    record DeletedView(Person by, long ts) {}

    /** An emoji on a message: how many reacted with it, and who, in the order they did. */
    record ReactionView(String emoji, int count, List<Person> by) {}

    /**
     * The message a reply answers, as it reads now: {@code text} its start (empty once deleted), {@code file}
     * the name of the file it shares, {@code deleted} true when it was deleted (absent otherwise).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ReplyView(long seq, Person from, String text, String file, Boolean deleted) {}

    /**
     * An entry of a room's order ({@code kind}: message, edit, delete, reaction), as in {@link Message}.
     * A change names the message it changes ({@code target}); a message carries its state of now.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MessageView(long seq, String clientId, Sender from, String kind, Long target, String text, String emoji,
                       Boolean added, long ts, Long edited, DeletedView deleted, FileView file, List<ReactionView> reactions,
                       ReplyView reply, List<MentionView> mentions, Boolean mentionsRoom) {}

    record Welcome(String ref, String sessionId, String userId, String name, Limits limits)
            implements ServerMessage {}

    record Pong(String ref) implements ServerMessage {}

    record Rooms(String ref, List<RoomView> rooms) implements ServerMessage {}

    record RoomAdded(String ref, RoomView room) implements ServerMessage {}

    record Joined(String ref, RoomView room, List<MemberView> members, List<ParticipantView> call) implements ServerMessage {}

    record Left(String ref, String room) implements ServerMessage {}

    record Presence(String room, String event, MemberView member) implements ServerMessage {}

    record Reset(String room, long lastSeq) implements ServerMessage {}

    /** {@code file}: for a file message, its file as stored, so that the sender learns its id. */
    record Ack(String ref, String room, String clientId, long seq, long ts, boolean duplicate, FileView file)
            implements ServerMessage {}

    /**
     * An entry of the room's order: a message, or a change to one. {@code target}: the seq a change
     * changes; {@code emoji} and {@code added}: a reaction's; {@code edited}, {@code deleted},
     * {@code reactions}: a message's state (absent: never edited, not deleted, no reactions); {@code reply}:
     * the message it answers, quoted as it reads now (absent: not a reply); {@code mentions} and
     * {@code mentionsRoom}: whom a message mentions, as the server decided (absent: no one).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Message(String room, long seq, String clientId, Sender from, String kind, Long target, String text,
                   String emoji, Boolean added, long ts, Long edited, DeletedView deleted, FileView file,
                   List<ReactionView> reactions, ReplyView reply, List<MentionView> mentions, Boolean mentionsRoom)
            implements ServerMessage {}

    /** The bytes of a file shared in the room reached the server: it can be downloaded from now on. */
    record FileStored(String room, String file) implements ServerMessage {}

    /** {@code url}: a path on this server, good until {@code expires} (ms since the epoch). */
    record FileLinkReply(String ref, String room, String file, String url, long expires) implements ServerMessage {}

    record HistoryPage(String ref, String room, List<MessageView> messages, boolean hasMore)
            implements ServerMessage {}

    record Typing(String room, boolean active, MemberView from) implements ServerMessage {}

    record Error(String ref, ErrorCode code, String message) implements ServerMessage {}

    record ParticipantView(String sessionId, String userId, String name, int order, boolean audio, boolean video,
                           boolean screen) {}

    /** {@code username} and {@code credential} are absent for STUN. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record IceServer(List<String> urls, String username, String credential) {}

    /** {@code call}: the call's id, which names it in {@code call_report}s. */
    record CallJoined(String ref, String room, String call, ParticipantView you, List<ParticipantView> participants,
                      List<IceServer> iceServers, String iceTransportPolicy) implements ServerMessage {}

    record CallLeft(String ref, String room) implements ServerMessage {}

    record IceServersReply(String ref, List<IceServer> iceServers, String iceTransportPolicy) implements ServerMessage {}

    record Call(String room, List<ParticipantView> participants) implements ServerMessage {}

    /**
     * Signalling relayed as the sender wrote it: the present field holds the JSON of the sender's
     * (validated) {@link ClientMessage.Signal} field, written as it is.
     */
    record Signal(String room, MemberView from, @JsonRawValue String description, @JsonRawValue String candidate)
            implements ServerMessage {}

    /** As {@link Signal}, for {@link ClientMessage.FileSignal}'s fields. */
    record FileSignal(String room, MemberView from, String file, @JsonRawValue String description,
                      @JsonRawValue String candidate, @JsonRawValue String want, @JsonRawValue String cancel) implements ServerMessage {}

    record Users(String ref, List<UserView> users) implements ServerMessage {}

    /** {@code banned} only for the room's owners and moderators. */
    record Members(String ref, String room, List<RoomMemberView> members, List<Person> banned) implements ServerMessage {}

    /** Someone's place in the room changed: a role given, or (no role) removed for {@code reason}. */
    record Member(String ref, String room, Person user, String role, String reason, Person by) implements ServerMessage {}

    /**
     * The person's read marker in the room ({@code seq}) and the messages after it they have not read
     * ({@code unread}, of which {@code mentions} mention them), counted up to {@code lastSeq}.
     */
    record Read(String ref, String room, long seq, int unread, int mentions, long lastSeq) implements ServerMessage {}

    /** How the person is notified of the room's messages: all, mentions or none. */
    record Notify(String ref, String room, String level) implements ServerMessage {}

    /** The room is gone for this person, for {@code reason}. */
    record Removed(String ref, String room, String reason, Person by) implements ServerMessage {}

    /**
     * A message a search found, as it reads now: its room and seq, who wrote it and when, when it was last
     * edited (absent: never), its text, and where the query's words are in it: {@code [start, end)} pairs
     * in UTF-16 code units (JavaScript's string indexes), sorted, not overlapping.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SearchHit(String room, long seq, Sender from, long ts, Long edited, String text, List<List<Integer>> matches) {}

    /** A page of search results, newest first; {@code hasMore}: older ones exist (ask with the last as {@code before}). */
    record SearchResults(String ref, List<SearchHit> results, boolean hasMore) implements ServerMessage {}

    /** A {@code call_report} is stored. */
    record CallReported(String ref, String room, String call) implements ServerMessage {}

    /** A room's recent calls, newest first. */
    record CallsPage(String ref, String room, List<CallView> calls) implements ServerMessage {}

    /** {@code ended}: absent while the call goes on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CallView(String id, long started, Long ended, List<CallParticipantView> participants) {}

    /**
     * One session's part in a call: {@code left} absent while it is in it; {@code reported}, {@code final} and
     * {@code report}: its latest report (absent: it sent none).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CallParticipantView(String sessionId, String userId, String name, long joined, Long left, Long reported,
                               @com.fasterxml.jackson.annotation.JsonProperty("final") Boolean last,
                               ClientMessage.Report report) {}
}
