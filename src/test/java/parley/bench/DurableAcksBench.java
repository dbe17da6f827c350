package parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import parley.store.ChatStore;
import parley.store.SqliteStore;
import parley.testing.ServerProcess;
import parley.testing.WsClient;

/**
 * Acknowledged (durable) chat messages per second.
 *
 * <ul>
 *   <li>{@code store}: appends straight into {@link SqliteStore} from several threads, each keeping a
 *       window of appends in flight; counts outcomes, each reported after its batch's fsync.</li>
 *   <li>{@code ws}: starts {@code parley serve} as its own process and drives it over real WebSockets:
 *       C clients, each keeping a window of sends in flight, counting acks.</li>
 * </ul>
 * Prints one JSON line per run. Run with {@code ./parley bench durable}.
 */
public final class DurableAcksBench {
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(System.getProperty("seconds", "10"));
        String mode = args.length > 0 ? args[0] : "all";
        if (mode.equals("store") || mode.equals("all")) {
            store(1, seconds);
            store(50, seconds);
        }
        if (mode.equals("ws") || mode.equals("all")) {
            ws(1, 50, seconds);
            ws(50, 50, seconds);
        }
    }

    /** {@code rooms} rooms, 8 appending threads spread over them, 64 appends in flight per thread. */
    static void store(int rooms, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("parley-bench");
        try (SqliteStore store = new SqliteStore(dir.resolve("bench.db"), 1000, 100_000, 4)) {
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                ids.add(store.createRoom(new ChatStore.NewRoom("r" + r, "room " + r, "", null, 0)).join().id());
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
                        String room = ids.get((int) (n % ids.size()));
                        store.append(new ChatStore.NewMessage(room, "u" + thread, "bench", thread + "-" + n++,
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

    /** {@code clients} WebSocket clients spread over {@code rooms} rooms, each with 32 sends in flight. */
    static void ws(int rooms, int clients, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("parley-bench");
        int port = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), port, dir.resolve("server.log"))) {
            List<String> roomIds = new ArrayList<>();
            try (WsClient admin = WsClient.hello(port, "admin")) {
                for (int r = 0; r < rooms; r++) {
                    admin.send("create_room", "name", "bench-" + r);
                    roomIds.add(admin.expect("room_added").at("/room/id").asText());
                }
            }
            AtomicLong acked = new AtomicLong();
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            CountDownLatch done = new CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                String room = roomIds.get(c % rooms);
                int client = c;
                Thread.ofPlatform().start(() -> {
                    try (WsClient ws = WsClient.hello(port, "bench-" + client)) {
                        ws.send("join", "room", room);
                        ws.expect("joined");
                        int inFlight = 0;
                        long n = 0;
                        while (System.nanoTime() < end) {
                            while (inFlight < 32) {
                                ws.send("send", "room", room, "clientId", "c" + n++,
                                        "text", "a message of ordinary length, about sixty characters long");
                                inFlight++;
                            }
                            JsonNode m = ws.poll(Duration.ofSeconds(5));
                            if (m == null) throw new IllegalStateException("no frame for 5 s");
                            if (m.path("type").asText().equals("ack")) {
                                inFlight--;
                                if (System.nanoTime() >= warmupEnd) acked.incrementAndGet();
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            report("websocket", rooms, clients, acked.get(), seconds);
        }
    }

    private static void report(String path, int rooms, int writers, long acked, int seconds) {
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\":\"durable_acks\",\"path\":\"%s\",\"rooms\":%d,\"writers\":%d,\"seconds\":%d,\"acked\":%d,\"acked_per_s\":%.0f}",
                path, rooms, writers, seconds, acked, acked / (double) seconds));
    }
}
