package parley.transport;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import parley.protocol.ServerMessage;
import parley.room.UserId;

/**
 * The ICE configuration handed to a browser when it joins a call: STUN URLs as configured and, for
 * TURN, a short-lived credential in the TURN REST scheme that coturn checks with {@code use-auth-secret}:
 * username {@code <expiry unix seconds>:<userId>}, credential base64(HMAC-SHA1(secret, username)).
 */
public final class IceServers {
    private final List<String> stun;
    private final List<String> turn;
    private final String secret;
    private final int ttlSeconds;
    private final boolean relayOnly;
    private final Clock clock;
    private volatile io.micrometer.core.instrument.Counter issued = ServerMetrics.NONE.turnCredentials;

    public IceServers(List<String> stun, List<String> turn, String secret, int ttlSeconds, boolean relayOnly, Clock clock) {
        this.stun = List.copyOf(stun);
        this.turn = List.copyOf(turn);
        this.secret = secret;
        this.ttlSeconds = ttlSeconds;
        this.relayOnly = relayOnly;
        this.clock = clock;
    }

    /** Counts the TURN credentials handed out from now on. */
    void countIn(ServerMetrics metrics) {
        issued = metrics.turnCredentials;
    }

    List<ServerMessage.IceServer> forUser(UserId user) {
        List<ServerMessage.IceServer> servers = new ArrayList<>();
        if (!stun.isEmpty()) servers.add(new ServerMessage.IceServer(stun, null, null));
        if (!turn.isEmpty()) {
            String username = (clock.instant().getEpochSecond() + ttlSeconds) + ":" + user.value();
            servers.add(new ServerMessage.IceServer(turn, username, credential(secret, username)));
            issued.increment();
        }
        return servers;
    }

    /** The browser's {@code iceTransportPolicy}: {@code relay} keeps every call on TURN. */
    String policy() {
        return relayOnly ? "relay" : "all";
    }

    static String credential(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JDK", e);
        }
    }
}
