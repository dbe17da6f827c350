package parley.room;

import java.security.SecureRandom;

/** Typed-id checks and random id generation. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private Ids() {}

    static String require(String kind, String value) {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException(kind + " must not be empty");
        return value;
    }

    /** {@code prefix} followed by 16 random characters (80 bits): unguessable and readable in logs. */
    public static String random(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() + 16).append(prefix);
        for (int i = 0; i < 16; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        return sb.toString();
    }
}
