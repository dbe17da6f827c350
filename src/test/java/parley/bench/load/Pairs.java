package parley.bench.load;

import io.vertx.core.Future;
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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;
import org.HdrHistogram.Recorder;

/**
 * S3, many small rooms: P pairs, each alone in a room of its own. Once a second (the pairs spread evenly
 * over the second) the first of a pair sends a ping, the second answers it at once with a pong, and the
 * first records the round trip. {@code chat}: ping and pong are chat messages (Parley stores both before
 * delivering them); {@code signal}: they are call signals (ICE candidates) between the two, who have both
 * joined the room's call (Parley relays and stores nothing). Prints one JSON line.
 * Usage: Pairs parley|socket.io pairs chat|signal [seconds].
 */
public final class Pairs {
    private static final String PING = "ping~";
    private static final String PONG = "pong~";
    private static final long WARMUP_MILLIS = 5_000; // the server's JIT needs about that to settle
    private static final long DRAIN_MILLIS = 5_000;

    public static void main(String[] args) throws Exception {
        String server = args[0];
        int pairs = Integer.parseInt(args[1]);
        String mode = args[2];
        if (!mode.equals("chat") && !mode.equals("signal")) throw new IllegalArgumentException("mode is chat or signal, not " + mode);
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("parley-s3");
        try (Target target = Target.start(server, dir)) {
            System.out.println(run(target, pairs, mode.equals("signal"), seconds));
        }
        System.exit(0);
    }

    static String run(Target target, int pairs, boolean signal, int seconds) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(2 * pairs + 10).setConnectTimeout(60_000));
        List<String> rooms = target.rooms("pair", pairs);
        List<LoadClient> first = target.joinAll(ws, "a", rooms);
        List<LoadClient> second = target.joinAll(ws, "b", rooms);
        if (signal) {
            List<Future<Void>> calls = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                for (LoadClient c : List.of(first.get(i), second.get(i))) {
                    String room = rooms.get(i);
                    calls.add(Future.future(p -> c.context().runOnContext(v -> c.callJoin(room).onComplete(p))));
                }
            }
            Future.all(calls).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        }

        Recorder roundTrip = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong pings = new AtomicLong(); // sent in the measured window
        AtomicLong pongs = new AtomicLong(); // answers to those, received
        AtomicLongArray window = new AtomicLongArray(new long[] {Long.MAX_VALUE, Long.MAX_VALUE});
        long start = System.nanoTime();
        long stop = start + TimeUnit.MILLISECONDS.toNanos(WARMUP_MILLIS) + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < pairs; i++) {
            LoadClient a = first.get(i), b = second.get(i);
            String room = rooms.get(i);
            if (signal) {
                b.onSignal(frame -> answer(frame, t -> b.signal(room, a.id(), PONG + t)));
                a.onSignal(frame -> record(frame, window, roundTrip, pongs));
            } else {
                b.onMessage(frame -> answer(frame, t -> b.send(room, PONG + t)));
                a.onMessage(frame -> record(frame, window, roundTrip, pongs));
            }
            long offset = 1 + (long) i * 1000 / pairs;
            a.context().runOnContext(v -> vertx.setPeriodic(offset, 1000, id -> {
                long t = System.nanoTime();
                if (t >= stop) {
                    vertx.cancelTimer(id);
                    return;
                }
                if (t >= window.get(0) && t < window.get(1)) pings.incrementAndGet();
                if (signal) a.signal(room, b.id(), PING + t);
                else a.send(room, PING + t);
            }));
        }
        Thread.sleep(WARMUP_MILLIS);
        window.set(1, stop);
        window.set(0, System.nanoTime());
        var cpu = Cpu.window(target.pid());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(stop - window.get(0)));
        Cpu.Window used = cpu.get();
        double roundTripsPerSecond = pongs.get() / used.seconds();
        long drainUntil = System.currentTimeMillis() + DRAIN_MILLIS;
        while (pongs.get() < pings.get() && System.currentTimeMillis() < drainUntil) Thread.sleep(10); // polling the count
        var h = roundTrip.getIntervalHistogram();
        long dropped = LoadClient.DROPPED.get();
        LoadClient.closeAll(first);
        LoadClient.closeAll(second);
        ws.close(); // and not before: Vert.x closes a client's sockets (code 1000) once the client is garbage collected
        vertx.close().await();
        // Each round trip is two messages relayed by the server (chat: each also delivered to its sender).
        return String.format(Locale.ROOT,
                "{\"scenario\":\"S3\",\"server\":\"%s\",\"mode\":\"%s\",\"pairs\":%d,\"seconds\":%d,"
                        + "\"round_trips_per_s\":%.0f,\"messages_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.2f,"
                        + "\"lost\":%d,\"dropped\":%d,\"server_cpu\":%.2f,\"server_cpu_system\":%.2f,\"server_waiting\":%.2f,"
                        + "\"generator_cpu\":%.2f}",
                target.name(), signal ? "signal" : "chat", pairs, seconds, roundTripsPerSecond, 2 * roundTripsPerSecond,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                pings.get() - pongs.get(), dropped, used.server(), used.serverSystem(), used.serverWaiting(), used.generator());
    }

    /** The second of a pair: a ping's time goes back in a pong. */
    private static void answer(String frame, LongConsumer reply) {
        int at = frame.indexOf(PING);
        if (at >= 0) reply.accept(FanOut.parseLong(frame, at + PING.length()));
    }

    /** The first of a pair: a pong of a ping sent in the window is a round trip. */
    private static void record(String frame, AtomicLongArray window, Recorder roundTrip, AtomicLong pongs) {
        int at = frame.indexOf(PONG);
        if (at < 0) return;
        long sent = FanOut.parseLong(frame, at + PONG.length());
        if (sent >= window.get(0) && sent < window.get(1)) {
            roundTrip.recordValue(Math.max(0, System.nanoTime() - sent));
            pongs.incrementAndGet();
        }
    }
}
