package parley.transport;

import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private final Set<String> trusted;

    /** {@code trusted}: addresses as {@link java.net.InetAddress#getHostAddress} writes them. */
    Proxies(List<String> trusted) {
        this.trusted = Set.copyOf(trusted);
    }

    /** Whether {@code address} (as {@link java.net.InetAddress#getHostAddress} writes it) is a trusted proxy's. */
    boolean trusts(String address) {
        return trusted.contains(address);
    }

    /** The address of the person behind the request: for per-address limits and sign-in throttling. */
    String clientAddress(HttpServerRequest request) {
        String peer = request.remoteAddress().hostAddress();
        if (!trusted.contains(peer)) return peer;
        String[] hops = String.join(",", request.headers().getAll("X-Forwarded-For")).split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = address(hops[i]);
            if (hop == null) return peer; // not an address: nothing to its left can be believed either
            if (!trusted.contains(hop)) return hop;
        }
        return peer; // proxies all the way: the nearest is as good as any
    }

    /**
     * Whether the browser reached a trusted proxy over HTTPS (then the session cookie is marked Secure): the
     * last {@code X-Forwarded-Proto} value, the one the nearest proxy added.
     */
    boolean forwardedHttps(HttpServerRequest request) {
        return "https".equals(forwardedProto(request));
    }

    /**
     * The scheme the browser used, {@code http} or {@code https}: from a trusted proxy, what its
     * {@code X-Forwarded-Proto} says; otherwise (or when a trusted proxy sends none) the connection's own.
     */
    String scheme(HttpServerRequest request) {
        String forwarded = forwardedProto(request);
        if (forwarded != null) return forwarded;
        return request.isSSL() ? "https" : "http";
    }

    /** The nearest trusted proxy's {@code X-Forwarded-Proto}, when it is {@code http} or {@code https}; else null. */
    private String forwardedProto(HttpServerRequest request) {
        if (!trusted.contains(request.remoteAddress().hostAddress())) return null;
        String[] protos = String.join(",", request.headers().getAll("X-Forwarded-Proto")).split(",");
        String last = protos.length == 0 ? "" : protos[protos.length - 1].strip().toLowerCase(java.util.Locale.ROOT);
        return last.equals("https") || last.equals("http") ? last : null;
    }

    /**
     * The address in a forwarded hop ({@code 203.0.113.7}, {@code 203.0.113.7:51234}, {@code [2001:db8::1]:443},
     * {@code 2001:db8::1}) as {@link InetAddress#getHostAddress} writes it, or null when it is not one.
     */
    static String address(String hop) {
        String h = hop.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) return null;
            h = h.substring(1, end);
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':')); // IPv4 with a port
        }
        if (h.isEmpty() || h.length() > MAX_ADDRESS || !LITERAL.matcher(h).matches()) return null;
        try {
            return InetAddress.getByName(h).getHostAddress(); // a literal: no name lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
