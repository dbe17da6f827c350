package parley.transport;

import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which web pages may open Parley's WebSocket. A browser sends the page's {@code Origin} with every
 * upgrade, so a page on another site cannot ride on the user's connection to Parley (cross-site
 * WebSocket hijacking): the origin must be the server's own (the scheme the browser used, and its host and
 * port as the browser addressed them, in the {@code Host} header, which a reverse proxy passes on) or one
 * listed in {@code allowed-origins}. The scheme counts: {@code http://host} and {@code https://host} are
 * other origins, and a plain-HTTP page (which anyone on the network path can rewrite) must not reach an
 * HTTPS server's sessions, nor an HTTPS page on the same name (maybe another server's) a plain one's.
 * A request without {@code Origin} does not come from a web page (a script, a test, a native client) and
 * is let through: it cannot carry a victim's browser session.
 */
final class Origins {
    private final List<String> allowed;
    private final Proxies proxies;

    /** {@code allowed}: lower-case origins, {@code scheme://host[:port]}; {@code proxies}: who may say the scheme. */
    Origins(List<String> allowed, Proxies proxies) {
        this.allowed = List.copyOf(allowed);
        this.proxies = proxies;
    }

    /** Whether the page that made {@code request} (its {@code Origin}) may use Parley. */
    boolean allows(HttpServerRequest request) {
        var authority = request.authority();
        return allows(request.getHeader("Origin"), proxies.scheme(request), authority == null ? null : authority.host(),
                authority == null ? -1 : authority.port());
    }

    /**
     * @param origin the {@code Origin} header, or null
     * @param scheme the scheme the browser used, {@code http} or {@code https} ({@link Proxies#scheme})
     * @param host   the host the request was sent to ({@code Host} header), without port
     * @param port   the port of the {@code Host} header, or -1 when it names none (the scheme's default)
     */
    boolean allows(String origin, String scheme, String host, int port) {
        if (origin == null) return true;
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (allowed.contains(o)) return true;
        URI uri;
        try {
            uri = new URI(o);
        } catch (java.net.URISyntaxException e) {
            return false; // "null" (a sandboxed page or a file:) lands here too
        }
        if (!scheme.equals(uri.getScheme())) return false;
        if (uri.getHost() == null || host == null || !uri.getHost().equals(host.toLowerCase(Locale.ROOT))) return false;
        int defaultPort = "https".equals(scheme) ? 443 : 80;
        return (uri.getPort() >= 0 ? uri.getPort() : defaultPort) == (port >= 0 ? port : defaultPort);
    }
}
