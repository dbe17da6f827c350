package parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The real server as a separate process, so that tests can kill it with SIGKILL. */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code parley serve} on this test run's classpath, with {@code settings} after the address,
     * data directory and open sign-up, and waits until /health answers 200. {@code PARLEY_JVM_OPTIONS}
     * (space-separated) adds JVM options, for instance to record the server with JFR during a benchmark.
     */
    public static ServerProcess start(Path dataDir, int port, Path log, String... settings) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        String jvmOptions = System.getenv().getOrDefault("PARLEY_JVM_OPTIONS", "").strip();
        if (!jvmOptions.isEmpty()) command.addAll(List.of(jvmOptions.split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "parley.app.Main", "serve",
                "--bind", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dataDir.toString(), "--signup", "open"));
        command.addAll(List.of(settings));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ServerProcess server = new ServerProcess(p, port);
            try {
                server.awaitHealthy(Duration.ofSeconds(30));
            } catch (IllegalStateException e) {
                server.close();
                throw new IllegalStateException(e.getMessage() + "; the end of its log (" + log + "):\n" + tail(log), e);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private void awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("server exited with " + process.exitValue());
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            try {
                process.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("server not healthy within " + timeout);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as an admin would stop it; SIGKILL if it has not exited within 15 s. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) kill();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }
}
