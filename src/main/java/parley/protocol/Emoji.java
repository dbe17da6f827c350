package parley.protocol;

/**
 * What a reaction's emoji may be: one emoji as people type or pick it, not text. 1 to
 * {@value #MAX_CODE_POINTS} code points; the first a symbol (Unicode category So, which holds the
 * emoji, regional indicators and symbols such as ©); each following one a symbol too, or one of what
 * joins and shapes emoji: a skin tone (U+1F3FB to U+1F3FF), a variation selector (U+FE0E, U+FE0F), the
 * keycap mark (U+20E3), the zero-width joiner (U+200D), or a tag (U+E0020 to U+E007F, as in subdivision
 * flags). So no letter, digit, space, control or bidirectional override gets in.
 */
final class Emoji {
    static final int MAX_CODE_POINTS = 10;

    private Emoji() {}

    static String check(String field, String value) {
        if (value == null || value.isEmpty()) throw Check.bad(field + " is required");
        if (value.length() > 2 * MAX_CODE_POINTS || value.codePointCount(0, value.length()) > MAX_CODE_POINTS) {
            throw Check.bad(field + " must be one emoji of at most " + MAX_CODE_POINTS + " code points");
        }
        int[] points = value.codePoints().toArray();
        for (int i = 0; i < points.length; i++) {
            int c = points[i];
            boolean ok = Character.getType(c) == Character.OTHER_SYMBOL || i > 0 && joins(c);
            if (!ok) throw Check.bad(field + " must be one emoji (U+" + Integer.toHexString(c).toUpperCase() + " is not part of one)");
        }
        return value;
    }

    private static boolean joins(int c) {
        return c >= 0x1F3FB && c <= 0x1F3FF || c == 0xFE0E || c == 0xFE0F || c == 0x20E3 || c == 0x200D
                || c >= 0xE0020 && c <= 0xE007F;
    }
}
