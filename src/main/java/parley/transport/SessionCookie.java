package parley.transport;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The session cookie, {@code parley_session}: HttpOnly (page scripts never see it), SameSite=Lax (other
 * sites' pages cannot send it with their requests, only a top-level navigation to Parley carries it),
 * Path=/, a Max-Age of the session's life, and Secure when the browser came over HTTPS: Parley serves
 * HTTPS itself, or a trusted proxy says so ({@link Proxies#forwardedHttps}).
 */
final class SessionCookie {
    static final String NAME = "parley_session";

    private final boolean tls;
    private final Proxies proxies;

    SessionCookie(boolean tls, Proxies proxies) {
        this.tls = tls;
        this.proxies = proxies;
    }

    /**
     * The session token the request carries, or null. Read from the header by hand: Vert.x's cookie
     * parsing keeps a map on the request, which an upgraded WebSocket would hold for its whole life.
     */
    static String token(HttpServerRequest request) {
        for (String header : request.headers().getAll("Cookie")) {
            for (String pair : header.split(";")) {
                String p = pair.strip();
                if (p.startsWith(NAME + "=")) {
                    String value = p.substring(NAME.length() + 1);
                    return value.isEmpty() ? null : value;
                }
            }
        }
        return null;
    }

    /** Sets the cookie of a session that expires at {@code expires} (epoch ms). */
    void set(HttpServerRequest request, HttpServerResponse response, String token, long expires) {
        long maxAge = Math.max(0, Math.ceilDiv(expires - System.currentTimeMillis(), 1000));
        response.putHeader("Set-Cookie", NAME + "=" + token + "; Max-Age=" + maxAge + attributes(request));
    }

    void clear(HttpServerRequest request, HttpServerResponse response) {
        response.putHeader("Set-Cookie", NAME + "=; Max-Age=0" + attributes(request));
    }

    private String attributes(HttpServerRequest request) {
        return "; Path=/; HttpOnly; SameSite=Lax" + (tls || proxies.forwardedHttps(request) ? "; Secure" : "");
    }
}
