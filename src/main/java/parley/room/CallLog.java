package parley.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a room's calls are kept after the fact: who was in which call from when to when, and what each
 * participant's page reported of it ({@code call_report}). The hub's storage port for calls, beside
 * {@link ChatStore}; the SQL stores implement both.
 *
 * <p>Writes are idempotent: every node applies a room's call facts, and every node may record them (a
 * second {@link #joined} of the same session changes nothing, a second {@link #left} neither). A call is
 * in progress while one of its participants has not left; {@link #interrupted} closes those that a stop
 * left open. A report is an opaque, already validated JSON text, as the protocol wrote it.
 */
public interface CallLog {

    /** {@code who} joined call {@code call} of {@code room} at {@code ts}; the first participant starts the call. */
    CompletableFuture<Void> joined(String call, RoomId room, ClientInfo who, long ts);

    /** {@code session} left call {@code call} at {@code ts} (if it had not already). */
    CompletableFuture<Void> left(String call, SessionId session, long ts);

    /** Every participation still open (the server stopped during a call) ends at {@code ts}. */
    CompletableFuture<Void> interrupted(long ts);

    /** What became of a {@link #report}. */
    enum Reported { STORED, NOT_A_PARTICIPANT, ALREADY_FINAL }

    /**
     * Keeps {@code session}'s report of call {@code call} of {@code room}, in place of its previous one; a
     * session that was never in that call is refused, and so is any report after one marked {@code last}.
     */
    CompletableFuture<Reported> report(String call, RoomId room, SessionId session, boolean last, String report, long ts);

    /**
     * The latest {@code limit} calls of the room, newest first, with their participants in joining order; it
     * sees every record asked for before it (a call joined a moment ago is listed).
     */
    CompletableFuture<List<CallRecord>> recent(RoomId room, int limit);

    /** Deletes the calls that started before {@code ts} and have ended, with their participants and reports; how many. */
    CompletableFuture<Integer> purge(long ts);

    /** One call as kept: {@code ended} null while it goes on. */
    record CallRecord(String id, RoomId room, long started, Long ended, List<Participation> participants) {}

    /**
     * One session's part in a call: {@code left} null while it is in it; {@code report} (JSON), {@code reported}
     * and {@code last}: its latest report, null when it sent none.
     */
    record Participation(ClientInfo who, long joined, Long left, String report, Long reported, Boolean last) {}

    /** Keeps nothing: for hubs that run without one (tests of other things). */
    CallLog NONE = new CallLog() {
        @Override
        public CompletableFuture<Void> joined(String call, RoomId room, ClientInfo who, long ts) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> left(String call, SessionId session, long ts) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> interrupted(long ts) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Reported> report(String call, RoomId room, SessionId session, boolean last, String report, long ts) {
            return CompletableFuture.completedFuture(Reported.NOT_A_PARTICIPANT);
        }

        @Override
        public CompletableFuture<List<CallRecord>> recent(RoomId room, int limit) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<Integer> purge(long ts) {
            return CompletableFuture.completedFuture(0);
        }
    };
}
