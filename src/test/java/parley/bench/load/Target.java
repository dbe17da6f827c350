package parley.bench.load;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import parley.testing.ServerProcess;
import parley.testing.WsClient;

/** A server under test, started as its own process so that its CPU and memory can be read apart. */
abstract sealed class Target implements AutoCloseable permits Target.Parley, Target.SocketIo {
    /** Starts {@code parley} or {@code socket.io}, its files under {@code dir}. */
    static Target start(String server, Path dir) {
        return switch (server) {
            case "parley" -> new Parley(dir);
            case "socket.io" -> new SocketIo(dir);
            default -> throw new IllegalArgumentException("server is parley or socket.io, not " + server);
        };
    }

    abstract String name();

    abstract long pid();

    abstract int port();

    abstract Future<LoadClient> connect(WebSocketClient client, String user);

    /** A room for a scenario: Parley needs it created; Socket.IO rooms exist when joined. */
    String room(String name) {
        return rooms(name, 1).get(0);
    }

    /**
     * Connects one client per entry of {@code rooms} (users named {@code user-0}, {@code user-1}, ...) and
     * joins each to its room, 200 at a time; in the order of {@code rooms}.
     */
    List<LoadClient> joinAll(WebSocketClient ws, String user, List<String> rooms) throws Exception {
        List<LoadClient> clients = new ArrayList<>();
        for (int batch = 0; batch < rooms.size(); batch += 200) {
            List<Future<LoadClient>> joining = new ArrayList<>();
            for (int i = batch; i < Math.min(rooms.size(), batch + 200); i++) {
                String room = rooms.get(i);
                joining.add(connect(ws, user + "-" + i).compose(c -> c.join(room).map(c)));
            }
            for (Future<LoadClient> f : joining) clients.add(f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
        return clients;
    }

    /** {@code count} rooms named {@code prefix-0}, {@code prefix-1}, ... */
    abstract List<String> rooms(String prefix, int count);

    @Override
    public abstract void close();

    static final class Parley extends Target {
        /**
         * The defaults, but for the limits that protect a real server from one client: here one sender
         * sends up to 1,000 messages a second, thousands of clients share one address, and idle clients
         * (S4) do not ping as browsers do.
         */
        static final String[] BENCH_SETTINGS = {"--messages-per-second", "1000000", "--message-burst", "1000000",
                "--max-connections-per-address", "1000000", "--max-connections-per-user", "1000000", "--max-rooms-per-user", "1000000",
                "--idle-timeout", "0"}; // every generator connection signs in as one user, "bench"

        private final ServerProcess server;

        Parley(Path dir) {
            server = ServerProcess.start(dir.resolve("data"), ServerProcess.freePort(), dir.resolve("parley.log"), BENCH_SETTINGS);
        }

        @Override
        String name() {
            return "parley";
        }

        @Override
        long pid() {
            return server.pid();
        }

        @Override
        int port() {
            return server.port();
        }

        @Override
        Future<LoadClient> connect(WebSocketClient client, String user) {
            return ParleyClient.connect(client, server.port(), user);
        }

        /** Created over one connection, all requests sent before the replies are read. */
        @Override
        List<String> rooms(String prefix, int count) {
            try (WsClient admin = WsClient.withCookie(server.port(), ParleyClient.cookie(server.port()), null)) {
                for (int i = 0; i < count; i++) admin.send("create_room", "name", count == 1 ? prefix : prefix + "-" + i);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < count; i++) ids.add(admin.expect("room_added").at("/room/id").asText());
                return ids;
            }
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    static final class SocketIo extends Target {
        private final Process node;
        private final int port;

        SocketIo(Path dir) {
            port = ServerProcess.freePort();
            Path script = Path.of("bench/socketio/server.js").toAbsolutePath();
            if (!Files.isDirectory(script.getParent().resolve("node_modules/socket.io"))) {
                throw new IllegalStateException("socket.io is not installed: run npm ci in bench/socketio (./parley bench does)");
            }
            try {
                node = new ProcessBuilder("node", script.toString(), String.valueOf(port)).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("socketio.log").toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    if (!node.isAlive() || System.nanoTime() > deadline) throw new IllegalStateException("socket.io server did not start");
                    pause();
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(20); // polling for the port to open
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        String name() {
            return "socket.io";
        }

        @Override
        long pid() {
            return node.pid();
        }

        @Override
        int port() {
            return port;
        }

        @Override
        Future<LoadClient> connect(WebSocketClient client, String user) {
            return SocketIoClient.connect(client, port);
        }

        @Override
        List<String> rooms(String prefix, int count) {
            return IntStream.range(0, count).mapToObj(i -> count == 1 ? prefix : prefix + "-" + i).toList();
        }

        @Override
        public void close() {
            node.destroy();
        }
    }
}
