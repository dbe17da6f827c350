package parley.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The read markers of this node's people: how far each has read each room, moved forward only.
 *
 * <p>A marker that moves is not written at once: it waits up to {@code delay} in memory, where later moves
 * of the same marker replace it, and then every waiting marker is written in one store write. So a person
 * scrolling through a room costs the store one row per room per delay, and the message path (the same
 * writer) hardly notices. The price is what a crash loses: the moves of the last {@code delay}, whose rooms
 * then show again as unread from the marker stored before. {@link #close} writes what waits.
 *
 * <p>Forward only: a move to a seq at or below the marker changes nothing, and a seq beyond the room's last
 * message is taken as its last (see {@link #read}). Several nodes each keep their own waiting markers; the
 * store keeps the highest it is given, so a marker never goes back there either.
 */
public final class ReadMarkers implements AutoCloseable {

    /** A read state, and whether {@link #read} moved its marker. */
    public record Moved(ReadState state, boolean moved) {}

    private record Key(UserId user, RoomId room) {}

    private final ChatStore store;
    private final Duration delay;
    private final int countMax;
    /** Markers moved and not yet handed to the store. */
    private final ConcurrentMap<Key, Long> waiting = new ConcurrentHashMap<>();
    /** Markers handed to the store whose write has not completed: a move must not go back behind them. */
    private final ConcurrentMap<Key, Long> writing = new ConcurrentHashMap<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final ScheduledExecutorService timer;

    /** {@code delay}: how long a moved marker waits to be written; {@code countMax}: the most unread messages counted. */
    public ReadMarkers(ChatStore store, Duration delay, int countMax) {
        this.store = store;
        this.delay = delay;
        this.countMax = countMax;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-read-markers");
            t.setDaemon(true);
            return t;
        });
    }

    /** The unread messages counted at most (the {@code unread-count-max} setting). */
    public int countMax() {
        return countMax;
    }

    /**
     * Moves {@code user}'s marker in {@code room} to {@code seq}, if that is forward; a seq beyond the room's
     * last is taken as the last. Completes with the read state after the move (its counts after the new
     * marker), and whether the marker moved.
     */
    public CompletableFuture<Moved> read(UserId user, RoomId room, long seq) {
        Key key = new Key(user, room);
        long known = known(key);
        return store.readStates(user, Map.of(room, Math.max(seq, known)), countMax).thenApply(states -> {
            if (states.isEmpty()) throw new RoomException(Refusal.NO_SUCH_ROOM, "no room " + room);
            ReadState s = states.getFirst();
            long target = Math.max(s.read(), Math.min(Math.max(seq, known), s.lastSeq()));
            AtomicBoolean moved = new AtomicBoolean();
            waiting.compute(key, (k, w) -> {
                long before = Math.max(s.read(), Math.max(w == null ? 0 : w, writing.getOrDefault(k, 0L)));
                if (target <= before) return w;
                moved.set(true);
                return target;
            });
            if (moved.get()) scheduleFlush();
            long marker = Math.max(target, known(key));
            return new Moved(new ReadState(room, marker, s.lastSeq(), s.unread(), s.mentions(), s.level()), moved.get());
        });
    }

    /** {@code user}'s read state in each of these rooms, counting from markers not yet written too. */
    public CompletableFuture<List<ReadState>> states(UserId user, List<RoomId> rooms) {
        Map<RoomId, Long> atLeast = new HashMap<>();
        for (RoomId room : rooms) atLeast.put(room, known(new Key(user, room)));
        return store.readStates(user, atLeast, countMax).thenApply(states -> {
            List<ReadState> out = new ArrayList<>(states.size());
            for (ReadState s : states) {
                long marker = Math.max(s.read(), atLeast.getOrDefault(s.room(), 0L));
                out.add(new ReadState(s.room(), marker, s.lastSeq(), s.unread(), s.mentions(), s.level()));
            }
            return out;
        });
    }

    /** The highest marker this node holds unwritten, 0 for none. */
    private long known(Key key) {
        return Math.max(waiting.getOrDefault(key, 0L), writing.getOrDefault(key, 0L));
    }

    private void scheduleFlush() {
        if (!flushScheduled.compareAndSet(false, true)) return;
        try {
            timer.schedule(this::flush, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            flushScheduled.set(false); // closing: close() writes what waits
        }
    }

    /** Hands every waiting marker to the store in one write; a failed write puts them back to wait again. */
    private CompletableFuture<Void> flush() {
        flushScheduled.set(false);
        List<ReadState.Marker> batch = new ArrayList<>();
        for (Key key : List.copyOf(waiting.keySet())) {
            Long seq = waiting.remove(key);
            if (seq == null) continue;
            writing.merge(key, seq, Math::max);
            batch.add(new ReadState.Marker(key.user(), key.room(), seq));
        }
        if (batch.isEmpty()) return CompletableFuture.completedFuture(null);
        return store.saveReadMarkers(batch).handle((ok, error) -> {
            for (ReadState.Marker m : batch) {
                Key key = new Key(m.user(), m.room());
                if (error != null) waiting.merge(key, m.seq(), Math::max);
                writing.remove(key, m.seq());
            }
            if (error != null) {
                System.getLogger(ReadMarkers.class.getName()).log(System.Logger.Level.WARNING,
                        "read markers not written, trying again: " + error);
                scheduleFlush();
            }
            return null;
        });
    }

    /** Stops the timer and writes the markers that wait (before the store closes). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            flush().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.getLogger(ReadMarkers.class.getName()).log(System.Logger.Level.WARNING, "read markers lost at close: " + e);
        }
    }
}
