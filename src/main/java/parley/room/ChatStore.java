package parley.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Durable storage of rooms, messages and the files they share: the port {@link Hub} needs, in the domain's
 * types (accounts have their own, {@code account.AccountStore}). Named for what it keeps, chat, rather
 * than {@code RoomStore}: most of what goes through it is messages, and it also reads the people a room
 * may be given (an account, as rooms see it).
 *
 * <p>Contract of {@link #append}, the ordering every node's delivery rests on: the outcome is reported
 * only after the message is durably committed (or the commit failed). Stored outcomes are reported one at
 * a time, in commit order, which is also sequence order within a room (the SQLite store reports them on
 * its one completion thread; the in-memory one under its lock); so a caller that publishes from the
 * callback, as the hub does, publishes every room's messages in sequence order, and the store is what
 * serialises a room. Sequence numbers are per room, start at 1 and have no gaps, so a reader that sees a
 * seq skip ahead knows it missed messages, and can read them with {@link #after}. A refusal that stored
 * nothing (queue full, store closed) may be reported at once on the caller's thread; it carries no
 * sequence number, so it cannot disturb that order.
 *
 * <p>A change (an edit, a deletion, a reaction: {@link NewMessage#kind}) is appended the same way, as an
 * entry of the room's order, and the store applies it to its target in the same commit, checking the
 * target in its one writer so that no other change slips in between: a change whose target is not a
 * message of the room, is deleted, or is not the sender's to change is {@link AppendOutcome.Refused} and
 * stores nothing. A retried client id is found before the target is checked, so a retried change
 * reports its original entry as a duplicate even though its target has changed since (by itself). A
 * message that answers another ({@link NewMessage#replyTo}) is checked the same way ({@link #replyRefusal}),
 * after its client id; every read gives it with its {@link ChatMessage.Reply} quoting the target as it reads now.
 *
 * <p>The futures of the other methods complete on store threads; callers must not block them. A write
 * refused because the store is behind fails with {@link OverloadedException}, having changed nothing.
 */
public interface ChatStore extends AutoCloseable {

    void append(NewMessage message, Consumer<AppendOutcome> onDurable);

    /**
     * Why a store refuses {@code change}, given its target as the store's writer finds it ({@code kind}
     * null: no entry has that seq in the room), or null when it may be made. The rules every store keeps.
     */
    static RoomException refusal(NewMessage change, ChatMessage.Kind kind, boolean deleted, boolean sendersOwn) {
        if (kind != ChatMessage.Kind.MESSAGE) {
            return new RoomException(Refusal.NO_SUCH_MESSAGE, kind == null ? "no message " + change.target() + " in this room"
                    : "entry " + change.target() + " is a change (" + kind.wire() + "), not a message");
        }
        if (deleted) return new RoomException(Refusal.BAD_STATE, "message " + change.target() + " is deleted");
        if (change.kind() == ChatMessage.Kind.EDIT && !sendersOwn) {
            return new RoomException(Refusal.FORBIDDEN, "you may edit only your own messages");
        }
        if (change.kind() == ChatMessage.Kind.DELETE && !sendersOwn && !change.moderator()) {
            return new RoomException(Refusal.FORBIDDEN, "only the room's owners and moderators may delete others' messages");
        }
        return null;
    }

    /**
     * Why a store refuses a message that answers entry {@code replyTo}, given that entry as the store's
     * writer finds it ({@code kind} null: no entry has that seq in the room), or null when it may be stored.
     * Only a message that still stands may be answered: a change is not a message, and a deleted message
     * has nothing left to quote.
     */
    static RoomException replyRefusal(long replyTo, ChatMessage.Kind kind, boolean deleted) {
        if (kind != ChatMessage.Kind.MESSAGE) {
            return new RoomException(Refusal.NO_SUCH_MESSAGE, kind == null ? "no message " + replyTo + " in this room to reply to"
                    : "entry " + replyTo + " is a change (" + kind.wire() + "), not a message to reply to");
        }
        return deleted ? new RoomException(Refusal.BAD_STATE, "message " + replyTo + " is deleted: it cannot be replied to") : null;
    }

    /** The latest {@code limit} messages, oldest first (none for an unknown room). */
    CompletableFuture<List<ChatMessage>> latest(RoomId room, int limit);

    /** The {@code limit} messages just before {@code beforeSeq}, oldest first. */
    CompletableFuture<List<ChatMessage>> before(RoomId room, long beforeSeq, int limit);

    /** Up to {@code limit} messages after {@code afterSeq}, oldest first. */
    CompletableFuture<List<ChatMessage>> after(RoomId room, long afterSeq, int limit);

    /**
     * Messages whose text as it reads now holds every word of the search (each as a part of a word or more,
     * ignoring case: {@code 京タワ} finds {@code 東京タワー}), in the search's rooms only: up to its limit,
     * newest first, in the order they were first stored, across rooms (an edit keeps a message's place).
     * With {@code before}, only messages stored before that one. Each is read as {@link #after} reads it;
     * changes and deleted messages are never found, nor any text an edit replaced.
     */
    CompletableFuture<List<ChatMessage>> search(Search search);

    /**
     * Stores a room and its first members in one commit. Fails with {@link NameTakenException} when a public
     * room of that name (ignoring case) exists. A direct room whose {@code directKey} exists is not created:
     * the existing room is returned instead (its id tells).
     */
    CompletableFuture<StoredRoom> createRoom(NewRoom room);

    /** Every room, with its members and bans, by name ignoring case. */
    CompletableFuture<List<StoredRoom>> rooms();

    /**
     * Gives the user a role in the room, adding them as a member if needed; {@code role} null removes them.
     * Fails with {@link BannedException}, changing nothing, when they are banned from the room.
     */
    CompletableFuture<Void> setMember(RoomId room, UserId user, Role role, UserId by, long ts);

    /** Removes the user from the room's members and bans them from it, in one commit. */
    CompletableFuture<Void> ban(RoomId room, UserId user, UserId by, long ts);

    CompletableFuture<Void> unban(RoomId room, UserId user);

    /** Deletes the room with its messages, files, members and bans; returns the ids of its files (their bytes are the caller's). */
    CompletableFuture<List<String>> deleteRoom(RoomId room);

    /** The enabled account with this id, or null. */
    CompletableFuture<Person> person(UserId user);

    /**
     * Up to {@code limit} enabled accounts whose username or any word of whose display name starts with
     * {@code query} (ignoring case), by name.
     */
    CompletableFuture<List<Person>> findPeople(String query, int limit);

    /** The file with this id, or null when there is none. */
    CompletableFuture<RoomFile> file(String fileId);

    /** Marks the file's bytes as on the server; true when it was waiting for them (false: unknown or done). */
    CompletableFuture<Boolean> fileStored(String fileId, long ts);

    /**
     * {@code user}'s {@link ReadState} in each room of {@code atLeast} (in no particular order; a room that is
     * gone is left out): the stored marker, the room's last seq, and the unread messages counted after the later
     * of the stored marker and the room's value in {@code atLeast} (a marker not yet stored), at most
     * {@code countMax} of them, the latest. One read, so every room is counted at the same moment.
     */
    CompletableFuture<List<ReadState>> readStates(UserId user, java.util.Map<RoomId, Long> atLeast, int countMax);

    /** Moves each marker forward to its seq, in one commit; a marker already further on stays where it is. */
    CompletableFuture<Void> saveReadMarkers(List<ReadState.Marker> markers);

    /** Keeps how {@code user} wants to be notified of {@code room}'s messages (null: the default). */
    CompletableFuture<Void> setNotify(UserId user, RoomId room, ReadState.Notify level);

    /** Completes with true when the store can read and its writer is running. */
    CompletableFuture<Boolean> healthy();

    @Override
    void close();

    /**
     * {@code file}: the file this message shares (stored with it, in the same commit), or null. A change
     * names its {@code target}'s seq; an edit's {@code text} is the target's new text, a reaction's
     * {@code emoji} the one it toggles; {@code moderator}: the sender may delete others' messages here.
     * {@code replyTo}: for a message, the seq of the message it answers (0: none). {@code mentions}: the
     * usernames a message's text names (see {@link Mentions#parse}); the store keeps, in the message's
     * {@link ChatMessage#mentions}, those of enabled accounts that the request allows.
     */
    record NewMessage(RoomId room, UserId sender, String senderName, String clientId, String text, long ts,
                      SharedFile file, ChatMessage.Kind kind, long target, String emoji, boolean moderator, long replyTo,
                      Mentions.Asked mentions) {
        public NewMessage {
            if (mentions == null) mentions = Mentions.Asked.NOTHING;
        }

        public NewMessage(RoomId room, UserId sender, String senderName, String clientId, String text, long ts,
                          SharedFile file, ChatMessage.Kind kind, long target, String emoji, boolean moderator) {
            this(room, sender, senderName, clientId, text, ts, file, kind, target, emoji, moderator, 0, Mentions.Asked.NOTHING);
        }

        public NewMessage(RoomId room, UserId sender, String senderName, String clientId, String text, long ts,
                          SharedFile file) {
            this(room, sender, senderName, clientId, text, ts, file, ChatMessage.Kind.MESSAGE, 0, null, false);
        }

        public NewMessage(RoomId room, UserId sender, String senderName, String clientId, String text, long ts) {
            this(room, sender, senderName, clientId, text, ts, null);
        }
    }

    /**
     * {@code createdBy}: null for a room the server made; {@code members}: its first members and their
     * roles; {@code directKey}: for a direct room, its two user ids sorted, space-separated, else null.
     */
    record NewRoom(RoomId id, String name, String topic, UserId createdBy, long ts, RoomKind kind, String directKey,
                   List<Membership> members) {
        /** A public room with no one in a role. */
        public NewRoom(RoomId id, String name, String topic, UserId createdBy, long ts) {
            this(id, name, topic, createdBy, ts, RoomKind.PUBLIC, null, List.of());
        }
    }

    /** A room as stored; a member or banned person without an account (a guest of old) is named by their id. */
    record StoredRoom(RoomId id, String name, String topic, long lastSeq, RoomKind kind, List<Membership> members,
                      List<UserRef> banned) {
        public StoredRoom(RoomId id, String name, String topic, long lastSeq) {
            this(id, name, topic, lastSeq, RoomKind.PUBLIC, List.of(), List.of());
        }
    }

    /** An enabled account, as others may see it; {@code admin}: a server admin. */
    record Person(UserId id, String username, String name, boolean admin) {}

    sealed interface AppendOutcome {
        /**
         * {@code duplicate}: the same sender already stored this client id; {@code message} is the original.
         * {@code removedFile}: the id of the file a deletion took from its message (its bytes are the
         * caller's to delete), else null.
         */
        record Stored(ChatMessage message, boolean duplicate, String removedFile) implements AppendOutcome {
            public Stored(ChatMessage message, boolean duplicate) {
                this(message, duplicate, null);
            }
        }

        /** A change that may not be made (see {@link ChatStore}): nothing was stored. */
        record Refused(RoomException reason) implements AppendOutcome {}

        /** Nothing was stored. */
        record Failed(Exception cause) implements AppendOutcome {}
    }

    final class NameTakenException extends RuntimeException {
        public NameTakenException(String name) {
            super("a room named " + name + " exists", null, false, false);
        }
    }

    /** The person is banned from the room: they were not made a member. */
    final class BannedException extends RuntimeException {
        public BannedException(UserId user) {
            super(user + " is banned from this room", null, false, false);
        }
    }

    /** The write queue is full: the store is behind; nothing was stored. */
    final class OverloadedException extends RuntimeException {
        public OverloadedException(int queued) {
            super("store write queue full (" + queued + ")", null, false, false);
        }
    }
}
