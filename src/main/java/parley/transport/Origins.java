package parley.transport;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which web pages may open Parley's WebSocket. A browser sends the page's {@code Origin} with every
 * upgrade, so a page on another site cannot ride on the user's connection to Parley (cross-site
 * WebSocket hijacking): the origin must be the server's own (its host and port as the browser addressed
 * them, in the {@code Host} header, which a reverse proxy passes on) or one listed in {@code allowed-origins}.
 * A request without {@code Origin} does not come from a web page (a script, a test, a native client) and
 * is let through: it cannot carry a victim's browser session.
 */
final class Origins {
    private final List<String> allowed;

    /** {@code allowed}: lower-case origins, {@code scheme://host[:port]}. */
    Origins(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /**
     * @param origin the {@code Origin} header, or null
     * @param host   the host the request was sent to ({@code Host} header), without port
     * @param port   the port of the {@code Host} header, or -1 when it names none
     */
    boolean allows(String origin, String host, int port) {
        if (origin == null) return true;
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (allowed.contains(o)) return true;
        URI uri;
        try {
            uri = new URI(o);
        } catch (java.net.URISyntaxException e) {
            return false; // "null" (a sandboxed page or a file:) lands here too
        }
        if (uri.getHost() == null || host == null || !uri.getHost().equals(host.toLowerCase(Locale.ROOT))) return false;
        int originPort = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : "http".equals(uri.getScheme()) ? 80 : -2;
        // A Host header without a port means the default port of the scheme the browser used, which a
        // TLS-terminating proxy may have changed: the origin's own scheme decides.
        return port < 0 ? originPort > 0 : port == originPort;
    }
}
