package parley.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Durable storage of rooms, messages and the files they share (accounts: {@link AccountStore}).
 *
 * <p>Contract of {@link #append}: the outcome is reported only after the message is durably committed
 * (or the commit failed). Stored outcomes are reported on one store thread, in commit order, which is
 * also sequence order within a room; so a caller that publishes from the callback publishes every
 * room's messages in sequence order. Sequence numbers are per room, start at 1 and have no gaps. A
 * refusal that stored nothing (queue full, store closed) may be reported at once on the caller's
 * thread; it carries no sequence number, so it cannot disturb that order.
 *
 * <p>The futures of the other methods complete on store threads; callers must not block them.
 */
public interface ChatStore extends AutoCloseable {

    void append(NewMessage message, Consumer<AppendOutcome> onDurable);

    /** The latest {@code limit} messages, oldest first. */
    CompletableFuture<List<StoredMessage>> latest(String roomId, int limit);

    /** The {@code limit} messages just before {@code beforeSeq}, oldest first. */
    CompletableFuture<List<StoredMessage>> before(String roomId, long beforeSeq, int limit);

    /** Up to {@code limit} messages after {@code afterSeq}, oldest first. */
    CompletableFuture<List<StoredMessage>> after(String roomId, long afterSeq, int limit);

    /**
     * Stores a room and its first members in one commit. Fails with {@link NameTakenException} when a public
     * room of that name (ignoring case) exists. A direct room whose {@code directKey} exists is not created:
     * the existing room is returned instead (its id tells).
     */
    CompletableFuture<StoredRoom> createRoom(NewRoom room);

    /** Every room, with its members and bans. */
    CompletableFuture<List<StoredRoom>> rooms();

    /** Gives the user a role in the room, adding them as a member if needed; {@code role} null removes them. */
    CompletableFuture<Void> setMember(String roomId, String userId, String role, String by, long ts);

    /** Removes the user from the room's members and bans them from it, in one commit. */
    CompletableFuture<Void> ban(String roomId, String userId, String by, long ts);

    CompletableFuture<Void> unban(String roomId, String userId);

    /** Deletes the room with its messages, files, members and bans; returns the ids of its files (their bytes are the caller's). */
    CompletableFuture<List<String>> deleteRoom(String roomId);

    /** The enabled account with this id, or null. */
    CompletableFuture<Person> person(String userId);

    /**
     * Up to {@code limit} enabled accounts whose username or any word of whose display name starts with
     * {@code query} (ignoring case), by name.
     */
    CompletableFuture<List<Person>> findPeople(String query, int limit);

    /** The file with this id, or null when there is none. */
    CompletableFuture<FileRecord> file(String fileId);

    /** Marks the file's bytes as on the server; true when it was waiting for them (false: unknown or done). */
    CompletableFuture<Boolean> fileStored(String fileId, long ts);

    /** Completes with true when the store can read and its writer is running. */
    CompletableFuture<Boolean> healthy();

    @Override
    void close();

    /** {@code file}: the file this message shares (stored with it, in the same commit), or null. */
    record NewMessage(String roomId, String senderId, String senderName, String clientId, String text, long ts,
                      FileMeta file) {
        public NewMessage(String roomId, String senderId, String senderName, String clientId, String text, long ts) {
            this(roomId, senderId, senderName, clientId, text, ts, null);
        }
    }

    record StoredMessage(String roomId, long seq, String senderId, String senderName, String clientId,
                         String text, long ts, FileMeta file) {
        public StoredMessage(String roomId, long seq, String senderId, String senderName, String clientId,
                             String text, long ts) {
            this(roomId, seq, senderId, senderName, clientId, text, ts, null);
        }
    }

    /** What a file message says of its file; {@code stored}: its bytes are on the server and can be downloaded. */
    record FileMeta(String id, String name, long size, String type, String sha256, boolean stored) {}

    record FileRecord(String roomId, String uploaderId, FileMeta meta) {}

    /** Room kinds, as stored. */
    String PUBLIC = "public", PRIVATE = "private", DIRECT = "direct";

    /** {@code members}: its first members and their roles; {@code directKey}: for a direct room, its two user ids sorted. */
    record NewRoom(String id, String name, String topic, String createdBy, long ts, String kind, String directKey,
                   List<StoredMember> members) {
        /** A public room with no one in a role. */
        public NewRoom(String id, String name, String topic, String createdBy, long ts) {
            this(id, name, topic, createdBy, ts, PUBLIC, null, List.of());
        }
    }

    record StoredRoom(String id, String name, String topic, long lastSeq, String kind, List<StoredMember> members,
                      List<StoredMember> banned) {
        public StoredRoom(String id, String name, String topic, long lastSeq) {
            this(id, name, topic, lastSeq, PUBLIC, List.of(), List.of());
        }
    }

    /** A member of a room (or, in a room's bans, someone banned: {@code role} is null). */
    record StoredMember(String userId, String name, String role) {}

    /** An enabled account, as others may see it; {@code admin}: a server admin. */
    record Person(String userId, String username, String name, boolean admin) {}

    sealed interface AppendOutcome {
        /** {@code duplicate}: the same sender already stored this client id; {@code message} is the original. */
        record Stored(StoredMessage message, boolean duplicate) implements AppendOutcome {}

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
        public BannedException(String userId) {
            super(userId + " is banned from this room", null, false, false);
        }
    }

    /** The write queue is full: the store is behind; nothing was stored. */
    final class OverloadedException extends RuntimeException {
        public OverloadedException(int queued) {
            super("store write queue full (" + queued + ")", null, false, false);
        }
    }
}
