package parley.protocol;

/**
 * What a reaction's emoji may be: one emoji as people pick or type it, not text. Unicode's emoji properties
 * (UTS #51, as {@link Character#isEmoji} and its siblings give them) decide, so every emoji sequence
 * (a skin tone, a ZWJ sequence such as 👩‍💻, a flag, a subdivision flag, a keycap) is accepted, and so is
 * what Unicode counts as emoji among older symbols (©, ‼, ↔, ℹ). 1 to {@value #MAX_CODE_POINTS} code
 * points (the longest emoji, a kiss of two people with their skin tones, has 10):
 * <ul>
 *   <li>a keycap: {@code 0}-{@code 9}, {@code #} or {@code *}, an optional U+FE0F and U+20E3, nothing more;</li>
 *   <li>otherwise the first is an emoji code point other than ASCII, and each following one is
 *       too, or builds emoji: a skin tone, a hair style, a variation selector (U+FE0E, U+FE0F), the zero-width
 *       joiner (U+200D), a regional indicator, a tag (U+E0020 to U+E007F), the keycap mark.</li>
 * </ul>
 * So no letter, digit on its own, punctuation such as {@code :)}, space, control or direction override gets in,
 * nor a symbol that is not an emoji (☐, ⌘).
 */
final class Emoji {
    static final int MAX_CODE_POINTS = 10;
    private static final int KEYCAP = 0x20E3;
    private static final int VS15 = 0xFE0E;
    private static final int VS16 = 0xFE0F;

    private Emoji() {}

    static String check(String field, String value) {
        if (value == null || value.isEmpty()) throw Check.bad(field + " is required");
        if (value.length() > 2 * MAX_CODE_POINTS || value.codePointCount(0, value.length()) > MAX_CODE_POINTS) {
            throw Check.bad(field + " must be one emoji of at most " + MAX_CODE_POINTS + " code points");
        }
        int[] points = value.codePoints().toArray();
        if (isKeycapBase(points[0])) {
            boolean keycap = points.length == 2 && points[1] == KEYCAP || points.length == 3 && points[1] == VS16 && points[2] == KEYCAP;
            if (!keycap) throw Check.bad(field + " must be one emoji (a digit, # or * only as a keycap, such as 1️⃣)");
            return value;
        }
        for (int i = 0; i < points.length; i++) {
            int c = points[i];
            boolean ok = c > 0x7F && (pictograph(c) || i > 0 && builds(c));
            if (!ok) throw Check.bad(field + " must be one emoji (U+" + Integer.toHexString(c).toUpperCase() + " is not part of one)");
        }
        return value;
    }

    private static boolean isKeycapBase(int c) {
        return c >= '0' && c <= '9' || c == '#' || c == '*';
    }

    /** Unicode's Emoji property; not Extended_Pictographic, which also holds symbols kept for emoji to come (☐). */
    private static boolean pictograph(int c) {
        return Character.isEmoji(c);
    }

    /** Skin tones, hair styles, ZWJ, U+FE0F, regional indicators, tags, keycap (Emoji_Component), and U+FE0E. */
    private static boolean builds(int c) {
        return Character.isEmojiComponent(c) || c == VS15;
    }
}
