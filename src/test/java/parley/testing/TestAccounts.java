package parley.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * Accounts for tests, through the real HTTP API: a person named "Ada" is the account {@code Ada} with a
 * password made from the username, signed up on first use and signed in after. Servers started by
 * {@link TestServer} and {@link ServerProcess} allow open sign-up unless a test says otherwise.
 */
public final class TestAccounts {
    private TestAccounts() {}

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    /** The username for a display name: what the rules allow of it ("Ada again" is {@code Ada_again}). */
    public static String username(String name) {
        String u = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!Character.isLetterOrDigit(u.charAt(0))) u = "x" + u;
        if (u.length() < 2) u = u + "_";
        return u.length() > 32 ? u.substring(0, 32) : u;
    }

    public static String password(String name) {
        return "secret of " + username(name).toLowerCase(Locale.ROOT);
    }

    /**
     * The {@code Cookie} header value of a new session of {@code name}'s account ({@code parley_session=...}),
     * signing it up first when it does not exist.
     */
    public static String cookie(int port, String name) {
        String credentials = WsClient.JSON.createObjectNode().put("username", username(name)).put("password", password(name))
                .toString();
        HttpResponse<String> up = post(port, "/api/signup",
                WsClient.JSON.createObjectNode().put("username", username(name)).put("password", password(name))
                        .put("name", name.strip()).toString(), null);
        if (up.statusCode() == 201) return sessionCookie(up);
        if (up.statusCode() != 409) throw new AssertionError("sign-up of " + name + " answered " + up.statusCode() + ": " + up.body());
        HttpResponse<String> in = post(port, "/api/signin", credentials, null);
        if (in.statusCode() != 200) throw new AssertionError("sign-in of " + name + " answered " + in.statusCode() + ": " + in.body());
        return sessionCookie(in);
    }

    /** The {@code parley_session=...} pair a response sets, or null. */
    public static String sessionCookie(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("parley_session=")).map(c -> c.substring(0, c.indexOf(';')))
                .filter(c -> !c.equals("parley_session=")).findFirst().orElse(null);
    }

    /** A JSON POST to the API; {@code cookie} (may be null) and then name/value pairs of extra headers. */
    public static HttpResponse<String> post(int port, String path, String json, String cookie, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (cookie != null) b.header("Cookie", cookie);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(b.build());
    }

    public static HttpResponse<String> get(int port, String path, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (cookie != null) b.header("Cookie", cookie);
        return send(b.build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
