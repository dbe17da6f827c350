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
import org.HdrHistogram.Recorder;

/**
 * S1, fan-out: R receivers in one room, one sender sending at a fixed rate; every message goes to all.
 * Latency is from the sender's write to each receiver's read, in this one process (one clock). Prints
 * one JSON line. Usage: FanOut parley|socket.io receivers rate [seconds].
 */
public final class FanOut {
    private static final String MARK = "bench~";

    public static void main(String[] args) throws Exception {
        String server = args[0];
        int receivers = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("parley-s1");
        try (Target target = server.equals("parley") ? new Target.Parley(dir) : new Target.SocketIo(dir)) {
            System.out.println(run(target, receivers, rate, seconds));
        }
        System.exit(0);
    }

    static String run(Target target, int receivers, int rate, int seconds) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(receivers + 10).setConnectTimeout(30_000).setMaxFrameSize(1 << 20));
        String room = target.room("fanout");
        Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        Recorder ackLatency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong received = new AtomicLong();
        long[] window = {Long.MAX_VALUE, Long.MAX_VALUE}; // measured sends: sent at [start, end)

        List<LoadClient> clients = new ArrayList<>();
        for (int batch = 0; batch < receivers; batch += 100) {
            List<Future<LoadClient>> joining = new ArrayList<>();
            for (int i = batch; i < Math.min(receivers, batch + 100); i++) {
                joining.add(target.connect(ws, "r" + i).compose(c -> c.join(room).map(c)));
            }
            for (Future<LoadClient> f : joining) clients.add(f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
        for (LoadClient c : clients) {
            c.onMessage(frame -> {
                int at = frame.indexOf(MARK);
                long sent = parseLong(frame, at + MARK.length());
                if (sent >= window[0] && sent < window[1]) {
                    latency.recordValue(Math.max(0, System.nanoTime() - sent));
                    received.incrementAndGet();
                }
            });
        }
        LoadClient sender = target.connect(ws, "sender").compose(c -> c.join(room).map(c))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        // Pace sends from the sender's event loop: every 5 ms, the messages that are due.
        AtomicLong sent = new AtomicLong();
        AtomicLong measuredSends = new AtomicLong();
        long start = System.nanoTime();
        long warmup = TimeUnit.SECONDS.toNanos(2);
        long stop = start + warmup + TimeUnit.SECONDS.toNanos(seconds);
        long[] timer = new long[1];
        vertx.runOnContext(v -> timer[0] = vertx.setPeriodic(5, id -> {
            long now = System.nanoTime();
            if (now >= stop) {
                vertx.cancelTimer(id);
                return;
            }
            long due = (now - start) * rate / 1_000_000_000L;
            while (sent.get() < due) {
                long t = System.nanoTime();
                boolean measured = t >= window[0] && t < window[1];
                sender.send(room, MARK + t + "~" + sent.getAndIncrement()).onSuccess(ok -> {
                    if (measured) ackLatency.recordValue(System.nanoTime() - t);
                });
                if (measured) measuredSends.incrementAndGet();
            }
        }));
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(warmup));
        window[0] = System.nanoTime();
        window[1] = stop;
        double serverCpu0 = Cpu.seconds(target.pid());
        double serverSys0 = Cpu.systemSeconds(target.pid());
        double ownCpu0 = Cpu.seconds(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(stop - t0));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double serverCpu = (Cpu.seconds(target.pid()) - serverCpu0) / elapsed;
        double serverSys = (Cpu.systemSeconds(target.pid()) - serverSys0) / elapsed;
        double ownCpu = (Cpu.seconds(ProcessHandle.current().pid()) - ownCpu0) / elapsed;

        long expected = measuredSends.get() * receivers;
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.get() < expected && System.nanoTime() < drainUntil) Thread.sleep(10); // polling the count
        var h = latency.getIntervalHistogram();
        var acks = ackLatency.getIntervalHistogram();
        clients.forEach(LoadClient::close);
        sender.close();
        vertx.close();
        return String.format(Locale.ROOT,
                "{\"scenario\":\"S1\",\"server\":\"%s\",\"receivers\":%d,\"rate\":%d,\"seconds\":%d,"
                        + "\"deliveries_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"lost\":%d,"
                        + "\"ack_p50_ms\":%.2f,\"ack_p99_ms\":%.2f,\"server_cpu\":%.2f,\"server_cpu_system\":%.2f,\"generator_cpu\":%.2f}",
                target.name(), receivers, rate, seconds, received.get() / elapsed,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                expected - received.get(), acks.getValueAtPercentile(50) / 1e6, acks.getValueAtPercentile(99) / 1e6,
                serverCpu, serverSys, ownCpu);
    }

    private static long parseLong(String s, int from) {
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') break;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
