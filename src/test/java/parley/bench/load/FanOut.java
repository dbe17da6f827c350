package parley.bench.load;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * S1, fan-out: R receivers in one room, one sender sending at a fixed rate; every message goes to all.
 * Latency is from the sender's write to each receiver's read, in this one process (one clock). The room
 * stays connected between {@link #step}s, so that S2 ({@link Saturation}) can raise the rate on it.
 * Prints one JSON line. Usage: FanOut parley|socket.io receivers rate [seconds].
 */
public final class FanOut implements AutoCloseable {
    private static final String MARK = "bench~";
    private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(5); // the server's JIT needs about that to settle
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * One step's figures; {@code lost} counts deliveries that had not arrived {@link #DRAIN_NANOS} after the
     * last send, {@code dropped} the connections closed by the server (or the network) so far.
     */
    record Result(String server, int receivers, int rate, int seconds, double deliveriesPerSecond, double p50Ms,
                  double p99Ms, double maxMs, long lost, long dropped, double ackP50Ms, double ackP99Ms, Cpu.Window cpu) {
        String json(String scenario) {
            return String.format(Locale.ROOT,
                    "{\"scenario\":\"%s\",\"server\":\"%s\",\"receivers\":%d,\"rate\":%d,\"seconds\":%d,"
                            + "\"deliveries_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"lost\":%d,\"dropped\":%d,"
                            + "\"ack_p50_ms\":%.2f,\"ack_p99_ms\":%.2f,\"server_cpu\":%.2f,\"server_cpu_system\":%.2f,"
                            + "\"server_waiting\":%.2f,\"generator_cpu\":%.2f}",
                    scenario, server, receivers, rate, seconds, deliveriesPerSecond, p50Ms, p99Ms, maxMs, lost, dropped, ackP50Ms,
                    ackP99Ms, cpu.server(), cpu.serverSystem(), cpu.serverWaiting(), cpu.generator());
        }
    }

    private final Target target;
    private final int receivers;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    /** Held for the room's life: Vert.x closes a client's sockets (code 1000) once the client is garbage collected. */
    private final WebSocketClient client;
    private final String room;
    private final List<LoadClient> clients;
    private final LoadClient sender;
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong received = new AtomicLong();
    private volatile long windowStart = Long.MAX_VALUE; // deliveries of messages sent in [windowStart, windowEnd) count
    private volatile long windowEnd = Long.MAX_VALUE;

    FanOut(Target target, int receivers) throws Exception {
        this.target = target;
        this.receivers = receivers;
        client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(receivers + 10).setConnectTimeout(30_000).setMaxFrameSize(1 << 20));
        room = target.room("fanout");
        clients = target.joinAll(client, "r", Collections.nCopies(receivers, room));
        for (LoadClient c : clients) {
            c.onMessage(frame -> {
                long sent = parseLong(frame, frame.indexOf(MARK) + MARK.length());
                if (sent >= windowStart && sent < windowEnd) {
                    latency.recordValue(Math.max(0, System.nanoTime() - sent));
                    received.incrementAndGet();
                }
            });
        }
        sender = target.joinAll(client, "sender", List.of(room)).get(0);
    }

    public static void main(String[] args) throws Exception {
        String server = args[0];
        int receivers = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("parley-s1");
        try (Target target = Target.start(server, dir); FanOut room = new FanOut(target, receivers)) {
            System.out.println(room.step(rate, seconds).json("S1"));
        }
        System.exit(0);
    }

    /**
     * Sends {@code rate} messages a second for a 5 s warm-up and then {@code seconds} measured, and waits
     * for the measured ones to arrive everywhere (at most {@link #DRAIN_NANOS}).
     */
    Result step(int rate, int seconds) throws Exception {
        Recorder ackLatency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong sent = new AtomicLong();
        AtomicLong measuredSends = new AtomicLong();
        long start = System.nanoTime();
        long stop = start + WARMUP_NANOS + TimeUnit.SECONDS.toNanos(seconds);
        // Paced from the sender's event loop: every 5 ms, the messages that are due.
        sender.context().runOnContext(v -> vertx.setPeriodic(5, id -> {
            long now = System.nanoTime();
            if (now >= stop) {
                vertx.cancelTimer(id);
                return;
            }
            long due = (now - start) * rate / 1_000_000_000L;
            while (sent.get() < due) {
                long t = System.nanoTime();
                boolean measured = t >= windowStart && t < windowEnd;
                sender.send(room, MARK + t + "~" + sent.getAndIncrement()).onSuccess(ok -> {
                    if (measured) ackLatency.recordValue(System.nanoTime() - t);
                });
                if (measured) measuredSends.incrementAndGet();
            }
        }));
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(WARMUP_NANOS));
        received.set(0);
        latency.reset();
        windowEnd = stop;
        windowStart = System.nanoTime();
        var cpu = Cpu.window(target.pid());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(stop - windowStart));
        Cpu.Window used = cpu.get();
        double deliveriesPerSecond = received.get() / used.seconds();

        long expected = measuredSends.get() * receivers;
        long drainUntil = System.nanoTime() + DRAIN_NANOS;
        while (received.get() < expected && System.nanoTime() < drainUntil) Thread.sleep(10); // polling the count
        windowStart = Long.MAX_VALUE; // from here on nothing is counted, until the next step
        var h = latency.getIntervalHistogram();
        var acks = ackLatency.getIntervalHistogram();
        return new Result(target.name(), receivers, rate, seconds, deliveriesPerSecond,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                expected - received.get(), LoadClient.DROPPED.get(), acks.getValueAtPercentile(50) / 1e6, acks.getValueAtPercentile(99) / 1e6, used);
    }

    @Override
    public void close() {
        LoadClient.closeAll(clients);
        LoadClient.closeAll(List.of(sender));
        client.close();
        vertx.close().await();
    }

    static long parseLong(String s, int from) {
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') break;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
