package parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import parley.app.Parley;
import parley.app.Settings;

/** The real server, in this JVM, on a free port with its own data directory. */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Path dataDir;
    private final String[] settings;
    private final Parley parley;

    private TestServer(Path dataDir, String... settings) {
        this.dataDir = dataDir;
        this.settings = settings;
        // Open sign-up: tests make people as they need them; a test of invitations says --signup invite.
        List<String> args = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1", "--data-dir", dataDir.toString(),
                "--signup", "open"));
        args.addAll(List.of(settings));
        this.parley = Parley.start(Settings.parse(args, Map.of()));
    }

    public static TestServer start(String... settings) {
        try {
            return new TestServer(Files.createTempDirectory("parley-test"), settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return parley.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /** A socket of {@code name}'s account, which said hello. */
    public WsClient hello(String name) {
        return WsClient.hello(port(), name);
    }

    /** A new session cookie of {@code name}'s account (signed up on first use). */
    public String cookie(String name) {
        return TestAccounts.cookie(port(), name);
    }

    /**
     * A GET over one shared client: a client per call would leave a kept-alive connection behind each time,
     * and they count towards max-connections-per-address.
     */
    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path.replaceFirst("^/", ""))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops this server and starts another on the same data and settings (on another port), and {@code more} settings. */
    public TestServer restart(String... more) {
        parley.close();
        List<String> all = new ArrayList<>(List.of(settings));
        all.addAll(List.of(more));
        return new TestServer(dataDir, all.toArray(String[]::new));
    }

    @Override
    public void close() {
        parley.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
