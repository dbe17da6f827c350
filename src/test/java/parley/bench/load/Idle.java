package parley.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * S4, idle connections: N clients connect, join a room (of {@link #ROOM_SIZE}) and stay silent; the server's memory per
 * connection is read before and after. A process may hold at most 20,000 file descriptors here, so the
 * clients live in child processes of {@link #PER_PROCESS} each, every child on its own 127.0.0.x source
 * address. Prints one JSON line. Usage: Idle parley|socket.io connections.
 *
 * <p>Memory: RSS of the server process (what the machine pays), and for Parley also the Java heap in use
 * after a full GC (what the connections themselves keep). {@code S4_HISTOGRAM=1} prints the top of the heap
 * histogram; {@code S4_HEAP_DUMP=file.hprof} writes a heap dump with the connections held.
 */
public final class Idle {
    static final int PER_PROCESS = 5_000;
    /** Members per room. One room of 19,000 would measure presence fan-out (every join is told to all), not idleness. */
    static final int ROOM_SIZE = 100;
    private static final int SETTLE_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("clients")) {
            clients(Integer.parseInt(args[1]), args[2], args[3], Integer.parseInt(args[4]), args[5]);
            return;
        }
        String server = args[0];
        int connections = Integer.parseInt(args[1]);
        Path dir = Files.createTempDirectory("parley-s4");
        try (Target target = server.equals("parley") ? new Target.Parley(dir) : new Target.SocketIo(dir)) {
            System.out.println(run(target, connections));
        }
        System.exit(0);
    }

    static String run(Target target, int connections) throws Exception {
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r * ROOM_SIZE < connections; r++) rooms.add(target.room("idle-" + r));
        settle();
        long heapBefore = heapAfterGc(target);
        long rssBefore = Cpu.rss(target.pid());
        List<Process> children = new ArrayList<>();
        long t0 = System.nanoTime();
        int held = 0;
        try {
            for (int start = 0, child = 0; start < connections; start += PER_PROCESS, child++) {
                int count = Math.min(PER_PROCESS, connections - start);
                children.add(new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                        "-cp", System.getProperty("java.class.path"), Idle.class.getName(), "clients",
                        String.valueOf(target.port()), target.name(),
                        String.join(",", rooms.subList(start / ROOM_SIZE, (start + count + ROOM_SIZE - 1) / ROOM_SIZE)),
                        String.valueOf(count), "127.0.0." + (child + 2))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            for (Process p : children) {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.startsWith("READY ")) throw new IllegalStateException("a client process said " + line);
                held += Integer.parseInt(line.substring("READY ".length()));
            }
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            settle();
            long heapAfter = heapAfterGc(target);
            long rssAfter = Cpu.rss(target.pid());
            if (System.getenv("S4_HISTOGRAM") != null && target instanceof Target.Parley) printHistogram(target.pid());
            if (System.getenv("S4_HEAP_DUMP") != null && target instanceof Target.Parley) heapDump(target.pid(), System.getenv("S4_HEAP_DUMP"));
            return String.format(Locale.ROOT,
                    "{\"scenario\":\"S4\",\"server\":\"%s\",\"connections\":%d,\"held\":%d,\"connectSeconds\":%.1f,"
                            + "\"rssBeforeMB\":%.1f,\"rssAfterMB\":%.1f,\"rssPerConnKB\":%.2f,\"heapPerConnKB\":%s}",
                    target.name(), connections, held, connectSeconds, rssBefore / 1e6, rssAfter / 1e6,
                    (rssAfter - rssBefore) / 1024.0 / held,
                    heapBefore < 0 ? "null" : String.format(Locale.ROOT, "%.2f", (heapAfter - heapBefore) / 1024.0 / held));
        } finally {
            for (Process p : children) p.getOutputStream().close(); // the children leave when stdin closes
            for (Process p : children) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    /**
     * A child: opens {@code count} clients from {@code localAddress}, each joining the next of {@code rooms}
     * ({@link #ROOM_SIZE} to a room), says READY, then waits for stdin to close.
     */
    private static void clients(int port, String server, String roomList, int count, String localAddress) throws Exception {
        String[] rooms = roomList.split(",");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(count + 10).setConnectTimeout(60_000).setLocalAddress(localAddress));
        List<LoadClient> held = new ArrayList<>();
        for (int batch = 0; batch < count; batch += 200) {
            List<Future<LoadClient>> joining = new ArrayList<>();
            for (int i = batch; i < Math.min(count, batch + 200); i++) {
                Future<LoadClient> c = server.equals("parley")
                        ? ParleyClient.connect(ws, port, "idle-" + localAddress + "-" + i)
                        : SocketIoClient.connect(ws, port);
                String room = rooms[i / ROOM_SIZE];
                joining.add(c.compose(client -> client.join(room).map(client)));
            }
            for (Future<LoadClient> f : joining) held.add(f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS));
        }
        System.out.println("READY " + held.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the connections until the coordinator closes our stdin
        }
        // Vert.x closes a client's sockets once the client is garbage collected: it must live until here.
        java.lang.ref.Reference.reachabilityFence(ws);
        System.exit(0);
    }

    private static void settle() throws InterruptedException {
        Thread.sleep(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS)); // let the server finish what joining started
    }

    /** The top of the server's heap histogram, to stderr: where the memory per connection goes. */
    private static void printHistogram(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        text.lines().limit(28).forEach(System.err::println);
    }

    /** A heap dump of the server, with the connections held, to find who owns what (for a heap analyser). */
    private static void heapDump(long pid, String file) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.heap_dump", Path.of(file).toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** Heap in use after a full GC, by jcmd; -1 when the target is not a JVM. */
    private static long heapAfterGc(Target target) throws IOException, InterruptedException {
        if (!(target instanceof Target.Parley)) return -1;
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String pid = String.valueOf(target.pid());
        new ProcessBuilder(jcmd.toString(), pid, "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder(jcmd.toString(), pid, "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        info.waitFor();
        Matcher used = Pattern.compile("used (\\d+)K").matcher(text);
        if (!used.find()) throw new IllegalStateException("no heap figure in: " + text);
        return Long.parseLong(used.group(1)) * 1024;
    }
}
