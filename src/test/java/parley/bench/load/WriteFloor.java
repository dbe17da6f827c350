package parley.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The floor under S1: what the kernel alone charges a server for fanning out over loopback TCP, one
 * {@code write} per delivery as every WebSocket server does, with no WebSocket, JSON, storage or framework
 * in the way. A child process accepts R connections and, {@code rate} times a second, writes the same
 * pre-built frame of {@link #FRAME_BYTES} (the size of a Parley chat delivery) to each, with TCP_NODELAY;
 * this process reads them all on one thread. Prints one JSON line with the writer's CPU (and the part of it
 * in the kernel), measured as S1 measures a server's. Usage: WriteFloor receivers rate [seconds].
 */
public final class WriteFloor {
    static final int FRAME_BYTES = 220;
    private static final long WARMUP_MILLIS = 3_000;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("writer")) {
            write(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        int receivers = Integer.parseInt(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Process writer = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), WriteFloor.class.getName(), "writer",
                String.valueOf(receivers), String.valueOf(rate))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            int port = Integer.parseInt(new String(writer.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).strip());
            System.out.println(read(writer.pid(), port, receivers, rate, seconds));
        } finally {
            writer.destroyForcibly();
        }
    }

    /** The reader: connects, drains every socket, and counts whole frames during the measured window. */
    private static String read(long writerPid, int port, int receivers, int rate, int seconds) throws IOException {
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < receivers; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ);
            }
            ByteBuffer sink = ByteBuffer.allocateDirect(1 << 16);
            long bytes = 0;
            long start = System.nanoTime();
            long windowStart = start + TimeUnit.MILLISECONDS.toNanos(WARMUP_MILLIS);
            long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(seconds);
            java.util.function.Supplier<Cpu.Window> cpu = null;
            while (System.nanoTime() < windowEnd) {
                if (cpu == null && System.nanoTime() >= windowStart) {
                    cpu = Cpu.window(writerPid);
                    bytes = 0;
                }
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel c = (SocketChannel) key.channel();
                    int n;
                    while ((n = c.read(sink.clear())) > 0) bytes += n;
                    if (n < 0) throw new IOException("the writer closed a connection");
                }
                selector.selectedKeys().clear();
            }
            Cpu.Window used = cpu.get();
            return String.format(Locale.ROOT,
                    "{\"scenario\":\"S1-floor\",\"server\":\"bare writer\",\"receivers\":%d,\"rate\":%d,\"seconds\":%d,"
                            + "\"deliveries_per_s\":%.0f,\"server_cpu\":%.2f,\"server_cpu_system\":%.2f,\"generator_cpu\":%.2f}",
                    receivers, rate, seconds, bytes / FRAME_BYTES / used.seconds(), used.server(), used.serverSystem(), used.generator());
        }
    }

    /** The writer: says its port on standard output, accepts, then writes until it is killed. */
    private static void write(int receivers, int rate) throws Exception {
        ByteBuffer frame = ByteBuffer.allocateDirect(FRAME_BYTES);
        frame.put((byte) 0x81).put((byte) 126).putShort((short) (FRAME_BYTES - 4)); // a final text frame, unmasked
        while (frame.hasRemaining()) frame.put((byte) 'x');
        frame.flip();
        List<SocketChannel> sockets = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), receivers)) {
            System.out.printf("%5d", ((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            while (sockets.size() < receivers) {
                SocketChannel c = server.accept();
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                sockets.add(c);
            }
        }
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        while (true) {
            for (SocketChannel c : sockets) {
                ByteBuffer b = frame.duplicate();
                while (b.hasRemaining()) c.write(b); // blocking: a full socket buffer waits, as Netty's would
            }
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
