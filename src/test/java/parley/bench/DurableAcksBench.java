package parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import parley.room.ChatStore;
import parley.room.RoomId;
import parley.room.UserId;
import parley.store.SqliteStore;

/**
 * Acknowledged (durable) chat messages per second.
 *
 * Appends straight into {@link SqliteStore} from several threads, each keeping a window of appends in
 * flight; counts outcomes, each reported after its batch's fsync. The same over WebSockets is
 * {@link parley.bench.load.Durable}. Prints one JSON line per run. Run with {@code ./parley bench durable}.
 */
public final class DurableAcksBench {
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(System.getProperty("seconds", "10"));
        store(1, seconds);
        store(50, seconds);
    }

    /** {@code rooms} rooms, 8 appending threads spread over them, 64 appends in flight per thread. */
    static void store(int rooms, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("parley-bench");
        try (SqliteStore store = new SqliteStore(dir.resolve("bench.db"), 1000, 100_000, 4)) {
            List<RoomId> ids = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                ids.add(store.createRoom(new ChatStore.NewRoom(new RoomId("r" + r), "room " + r, "", null, 0)).join().id());
            }
            AtomicLong acked = new AtomicLong();
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            AtomicLong measuredFrom = new AtomicLong();
            int threads = 8;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread.ofPlatform().start(() -> {
                    Semaphore window = new Semaphore(64);
                    long n = 0;
                    while (System.nanoTime() < end) {
                        window.acquireUninterruptibly();
                        RoomId room = ids.get((int) (n % ids.size()));
                        store.append(new ChatStore.NewMessage(room, new UserId("u" + thread), "bench", thread + "-" + n++,
                                "a message of ordinary length, about sixty characters long", System.currentTimeMillis()), outcome -> {
                            if (System.nanoTime() >= warmupEnd) acked.incrementAndGet();
                            window.release();
                        });
                    }
                    window.acquireUninterruptibly(64);
                    done.countDown();
                });
            }
            done.await();
            report("store", rooms, threads, acked.get(), seconds);
        }
    }

    private static void report(String path, int rooms, int writers, long acked, int seconds) {
        System.out.println(String.format(Locale.ROOT,
                "{\"scenario\":\"S5\",\"server\":\"parley\",\"path\":\"%s\",\"rooms\":%d,\"writers\":%d,\"seconds\":%d,\"acked\":%d,\"acked_per_s\":%.0f}",
                path, rooms, writers, seconds, acked, acked / (double) seconds));
    }
}
