package parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * coturn (Debian's turnserver) on loopback with a shared secret, as an admin would run it next to Parley.
 * It logs to the given file, line by line (its stdout would be block-buffered).
 */
public final class TurnServer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/turnserver");

    private final List<String> command;
    private final Path log;
    private final int port;
    private Process process;

    public TurnServer(String secret, Path log) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: run the tests with ./parley test, which installs coturn");
        }
        port = ServerProcess.freePort();
        int relayFrom = 40_000 + (port % 10_000);
        this.log = log;
        command = List.of(BINARY.toString(), "-n", "--no-cli", "--no-tls", "--no-dtls",
                "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1", "--listening-port", String.valueOf(port),
                "--min-port", String.valueOf(relayFrom), "--max-port", String.valueOf(relayFrom + 200),
                "--use-auth-secret", "--static-auth-secret", secret, "--realm", "parley", "--fingerprint",
                "--allow-loopback-peers", "--verbose", "--log-file", log.toString(), "--simple-log");
        start();
    }

    /** Starts coturn (again, after {@link #stop}) on the same port, and waits until it listens. */
    public void start() {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("turnserver did not start; see " + log);
                }
                try {
                    process.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS); // polling for the port
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    public int port() {
        return port;
    }

    public String udpUrl() {
        return "turn:127.0.0.1:" + port + "?transport=udp";
    }

    /** Kills coturn at once, as a crash would: every allocation it held is gone. */
    public void stop() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
