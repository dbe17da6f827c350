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

    /** Fails with {@link NameTakenException} when a room of that name (ignoring case) exists. */
    CompletableFuture<StoredRoom> createRoom(NewRoom room);

    CompletableFuture<List<StoredRoom>> rooms();

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

    record NewRoom(String id, String name, String topic, String createdBy, long ts) {}

    record StoredRoom(String id, String name, String topic, long lastSeq) {}

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

    /** The write queue is full: the store is behind; nothing was stored. */
    final class OverloadedException extends RuntimeException {
        public OverloadedException(int queued) {
            super("store write queue full (" + queued + ")", null, false, false);
        }
    }
}
