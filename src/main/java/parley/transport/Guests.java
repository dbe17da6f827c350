package parley.transport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import parley.room.Ids;
import parley.room.UserId;
import parley.store.ChatStore;

/**
 * Identity until accounts arrive: a person says a display name and, when they have one, the token from
 * an earlier welcome; the same token gives the same user id. Only a hash of the token is stored.
 * This class is the seam that accounts will replace.
 */
public final class Guests {
    public record Identity(UserId userId, String name, String token) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private final ChatStore store;

    public Guests(ChatStore store) {
        this.store = store;
    }

    public CompletableFuture<Identity> identify(String token, String name) {
        String known = token == null ? null : hash(token);
        String fresh = newToken();
        return store.guest(known, name, Ids.random("u_"), hash(fresh))
                .thenApply(g -> new Identity(new UserId(g.userId()), g.name(), g.created() ? fresh : token));
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
