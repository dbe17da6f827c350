package parley.transport;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Set;

/**
 * Reverse proxies Parley trusts (the {@code trusted-proxies} setting). A request from one of them is
 * taken to come from the address its {@code X-Forwarded-For} names last, skipping other trusted proxies
 * (each proxy appends the address it was reached from: the addresses to the left may be made up by the
 * client, the last untrusted one cannot), and to have been made over HTTPS when it says
 * {@code X-Forwarded-Proto: https}. From anyone else both headers are ignored, so they cannot be forged.
 */
final class Proxies {
    /** Longer than any IPv6 address with a zone: not an address, so not believed. */
    private static final int MAX_ADDRESS = 64;

    private final Set<String> trusted;

    /** {@code trusted}: addresses as {@link java.net.InetAddress#getHostAddress} writes them. */
    Proxies(List<String> trusted) {
        this.trusted = Set.copyOf(trusted);
    }

    /** The address of the person behind the request: for per-address limits and sign-in throttling. */
    String clientAddress(HttpServerRequest request) {
        String peer = request.remoteAddress().hostAddress();
        if (!trusted.contains(peer)) return peer;
        String forwarded = String.join(",", request.headers().getAll("X-Forwarded-For"));
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (hop.isEmpty() || hop.length() > MAX_ADDRESS) return peer;
            if (!trusted.contains(hop)) return hop;
        }
        return peer; // proxies all the way: the nearest is as good as any
    }

    /** Whether the browser reached a trusted proxy over HTTPS (then the session cookie is marked Secure). */
    boolean forwardedHttps(HttpServerRequest request) {
        return trusted.contains(request.remoteAddress().hostAddress())
                && "https".equalsIgnoreCase(String.valueOf(request.getHeader("X-Forwarded-Proto")).strip());
    }
}
