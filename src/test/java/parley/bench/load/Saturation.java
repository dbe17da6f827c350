package parley.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * S2, saturation: the S1 room of R receivers, its sender's rate raised step by step until the p99 latency
 * passes {@link #P99_LIMIT_MS} or a delivery is lost. Prints a JSON line per step ("S2-step", which the
 * report charts as p99 against deliveries/s), then one for the result: the highest sustained
 * deliveries/s (the last step that passed) and its deliveries per second of server CPU.
 * Usage: Saturation parley|socket.io receivers [seconds per step].
 */
public final class Saturation {
    static final double P99_LIMIT_MS = 100;
    /** Messages per second into the room, in turn; x receivers = deliveries per second. */
    static final int[] RATES = {20, 50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 4000, 6000, 8000};

    public static void main(String[] args) throws Exception {
        String server = args[0];
        int receivers = Integer.parseInt(args[1]);
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("parley-s2");
        FanOut.Result best = null;
        FanOut.Result failed = null;
        try (Target target = Target.start(server, dir); FanOut room = new FanOut(target, receivers)) {
            for (int rate : RATES) {
                FanOut.Result step = room.step(rate, seconds);
                System.out.println(step.json("S2-step"));
                if (step.p99Ms() > P99_LIMIT_MS || step.lost() > 0 || step.dropped() > 0) {
                    failed = step;
                    break;
                }
                best = step;
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "{\"scenario\":\"S2\",\"server\":\"%s\",\"receivers\":%d,\"sustained_deliveries_per_s\":%.0f,"
                        + "\"p99_ms\":%.2f,\"server_cpu\":%.2f,\"deliveries_per_server_cpu_s\":%.0f,\"stopped_by\":\"%s\"}",
                server, receivers, best == null ? 0 : best.deliveriesPerSecond(), best == null ? 0 : best.p99Ms(),
                best == null ? 0 : best.cpu().server(),
                best == null ? 0 : best.deliveriesPerSecond() / best.cpu().server(),
                failed == null ? "highest rate passed"
                        : failed.dropped() > 0 ? failed.dropped() + " connections dropped at " + failed.rate() + "/s"
                        : failed.lost() > 0 ? failed.lost() + " lost at " + failed.rate() + "/s"
                        : String.format(Locale.ROOT, "p99 %.0f ms at %d/s", failed.p99Ms(), failed.rate())));
        System.exit(0);
    }
}
