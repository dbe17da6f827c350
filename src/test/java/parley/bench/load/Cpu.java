package parley.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from /proc, in seconds (user + system), so server and generator are told apart. */
final class Cpu {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private Cpu() {}

    /**
     * CPU used by the server and by this generator over a window, in cores (1.00 = one core busy), and
     * {@code serverWaiting}: how many of the server's threads were, on average, ready to run but waiting
     * for a CPU (the kernel's run-queue delay). On a machine the generator shares, a large figure means
     * latency is spent queueing for a core, not in the server's code.
     */
    record Window(double seconds, double server, double serverSystem, double generator, double serverWaiting) {}

    /** Starts a window; {@code stop} ends it and returns what both processes used meanwhile. */
    static java.util.function.Supplier<Window> window(long serverPid) {
        long own = ProcessHandle.current().pid();
        double server0 = seconds(serverPid), system0 = systemSeconds(serverPid), own0 = seconds(own);
        long wait0 = runQueueNanos(serverPid);
        long t0 = System.nanoTime();
        return () -> {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            return new Window(elapsed, (seconds(serverPid) - server0) / elapsed,
                    (systemSeconds(serverPid) - system0) / elapsed, (seconds(own) - own0) / elapsed,
                    (runQueueNanos(serverPid) - wait0) / 1e9 / elapsed);
        };
    }

    /**
     * Nanoseconds the live threads of a process have spent runnable but not running, summed
     * ({@code /proc/<pid>/task/<tid>/schedstat}, second field). Threads that ended meanwhile drop out;
     * a server's threads live as long as it does.
     */
    static long runQueueNanos(long pid) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    sum += Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[1]);
                } catch (IOException | RuntimeException threadEnded) {
                    // it exited between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of " + pid, e);
        }
        return sum;
    }

    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read CPU time of " + pid, e);
        }
    }

    /** Kernel (system) CPU time alone, in seconds: how much of {@link #seconds} is system calls. */
    static double systemSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[12]) / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read CPU time of " + pid, e);
        }
    }

    /** Resident memory in bytes. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
            return -1;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read memory of " + pid, e);
        }
    }
}
