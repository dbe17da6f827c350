package parley.bench.load;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * S5, durability over WebSockets: W writers spread over R rooms, each keeping {@code inFlight} sends
 * unacknowledged (a new one goes out with each ack). Parley acknowledges a message after its fsync'd
 * commit, so acks per second are durable messages per second. Every message is also delivered to the
 * room's members (the writers in it). Prints one JSON line. Usage: Durable rooms writers [seconds] [inFlight].
 */
public final class Durable {
    private static final AtomicLong REFUSED = new AtomicLong();
    private static final long WARMUP_MILLIS = 5_000; // the server's JIT needs about that to settle

    public static void main(String[] args) throws Exception {
        int rooms = Integer.parseInt(args[0]);
        int writers = Integer.parseInt(args[1]);
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        Path dir = Files.createTempDirectory("parley-s5");
        try (Target target = Target.start("parley", dir)) {
            System.out.println(run(target, rooms, writers, seconds, inFlight));
        }
        System.exit(0);
    }

    static String run(Target target, int rooms, int writers, int seconds, int inFlight) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(writers + 10).setConnectTimeout(30_000));
        List<String> roomIds = target.rooms("durable", rooms);
        List<String> roomOfWriter = new ArrayList<>();
        for (int i = 0; i < writers; i++) roomOfWriter.add(roomIds.get(i % rooms));
        List<LoadClient> clients = target.joinAll(ws, "w", roomOfWriter);
        AtomicLong acked = new AtomicLong();
        long stop = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARMUP_MILLIS) + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < writers; i++) {
            LoadClient c = clients.get(i);
            String room = roomOfWriter.get(i);
            c.context().runOnContext(v -> {
                for (int k = 0; k < inFlight; k++) keepSending(c, room, stop, acked);
            });
        }
        Thread.sleep(WARMUP_MILLIS);
        long acked0 = acked.get();
        var cpu = Cpu.window(target.pid());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(stop - System.nanoTime()));
        Cpu.Window used = cpu.get();
        double perSecond = (acked.get() - acked0) / used.seconds();
        long dropped = LoadClient.DROPPED.get();
        LoadClient.closeAll(clients);
        ws.close(); // and not before: Vert.x closes a client's sockets (code 1000) once the client is garbage collected
        vertx.close().await();
        return String.format(Locale.ROOT,
                "{\"scenario\":\"S5\",\"server\":\"parley\",\"path\":\"websocket\",\"rooms\":%d,\"writers\":%d,"
                        + "\"in_flight\":%d,\"seconds\":%d,\"acked_per_s\":%.0f,\"refused\":%d,\"dropped\":%d,\"server_cpu\":%.2f,"
                        + "\"server_cpu_system\":%.2f,\"generator_cpu\":%.2f}",
                rooms, writers, writers * inFlight, seconds, perSecond, REFUSED.get(), dropped, used.server(), used.serverSystem(), used.generator());
    }

    /** Sends one message and, when it is acknowledged, the next, until {@code stop}. */
    private static void keepSending(LoadClient c, String room, long stop, AtomicLong acked) {
        if (System.nanoTime() >= stop) return;
        c.send(room, "a message of ordinary length, about sixty characters long").onComplete(ok -> {
            acked.incrementAndGet();
            keepSending(c, room, stop, acked);
        }, error -> {
            REFUSED.incrementAndGet(); // counted in the result; this slot stops
        });
    }
}
