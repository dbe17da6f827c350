package parley.bench.load;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import parley.testing.ServerProcess;
import parley.testing.WsClient;

/** A server under test, started as its own process so that its CPU and memory can be read apart. */
abstract sealed class Target implements AutoCloseable permits Target.Parley, Target.SocketIo {
    abstract String name();

    abstract long pid();

    abstract int port();

    abstract Future<LoadClient> connect(WebSocketClient client, String user);

    /** A room for a scenario: Parley needs it created; Socket.IO rooms exist when joined. */
    abstract String room(String name);

    @Override
    public abstract void close();

    static final class Parley extends Target {
        private final ServerProcess server;

        Parley(Path dir) {
            server = ServerProcess.start(dir.resolve("data"), ServerProcess.freePort(), dir.resolve("parley.log"));
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

        @Override
        String room(String name) {
            try (WsClient admin = WsClient.hello(server.port(), "bench")) {
                admin.send("create_room", "name", name);
                return admin.expect("room_added").at("/room/id").asText();
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
        String room(String name) {
            return name;
        }

        @Override
        public void close() {
            node.destroy();
        }
    }
}
