package parley.transport;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The session cookie, {@code parley_session}: HttpOnly (page scripts never see it), SameSite=Lax (other
 * sites' pages cannot send it with their requests, only a top-level navigation to Parley carries it),
 * Path=/, a Max-Age of the session's life, and Secure when Parley serves HTTPS itself. (Behind a
 * TLS-terminating proxy it is not marked Secure; SameSite and the Origin checks still hold.)
 */
final class SessionCookie {
    static final String NAME = "parley_session";

    private final boolean secure;

    SessionCookie(boolean secure) {
        this.secure = secure;
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
    void set(HttpServerResponse response, String token, long expires) {
        long maxAge = Math.max(0, Math.ceilDiv(expires - System.currentTimeMillis(), 1000));
        response.putHeader("Set-Cookie", NAME + "=" + token + "; Max-Age=" + maxAge + attributes());
    }

    void clear(HttpServerResponse response) {
        response.putHeader("Set-Cookie", NAME + "=; Max-Age=0" + attributes());
    }

    private String attributes() {
        return "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }
}
