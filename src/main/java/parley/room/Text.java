package parley.room;

/**
 * What text that people write may hold, for every field that others see: message bodies, topics, the
 * names of rooms, people and files. The protocol's messages and the account API check it where the text
 * enters; each check answers null when the text may be kept as it is, or why not, worded to follow the
 * field's name ("must not contain ...").
 *
 * <p>Any such text is well-formed Unicode: no lone surrogate (a JSON escape such as {@code "\ud800"}
 * carries one; UTF-8, and so the store, cannot hold it) and no control character (Unicode's Cc: NUL and
 * the rest of C0, DEL, C1), except line feed and tab in a message body.
 *
 * <p>A name says who or where someone is, so it must not be able to pass for another: it holds no
 * bidirectional control (U+202E makes "txt.exe" show as "exe.txt"), no line separator, and at least one
 * visible character. Joiners and other format characters stay allowed beside visible ones, where emoji
 * sequences (👩‍💻) and scripts such as Persian need them; right-to-left scripts need no control.
 */
public final class Text {
    private Text() {}

    /** A message's body: several lines, tabs. */
    public static String body(String s) {
        return problem(s, true, false);
    }

    /** One line of text that is not a name: a topic. */
    public static String line(String s) {
        return problem(s, false, false);
    }

    /** A name of a room or a person; as typed, its ends already trimmed of spaces. */
    public static String name(String s) {
        String problem = problem(s, false, true);
        if (problem == null && !visible(s)) return "must have a visible character, not only spaces or invisible ones";
        return problem;
    }

    /**
     * A name that arrives made, such as a file's (refusing it would help no one): each character a
     * name may not hold becomes {@code replacement}. It may still be without a visible character.
     */
    public static String replaceInName(String s, int replacement) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(refusal(c, false, true) == null ? c : replacement));
        return out.toString();
    }

    /** Whether {@code s} has a character that shows: not a space, control, format character or lone mark. */
    public static boolean visible(String s) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (!invisible(c)) return true;
            i += Character.charCount(c);
        }
        return false;
    }

    /** Whether {@code s} has a lone surrogate: it is then not text that UTF-8 can carry. */
    public static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (isLoneSurrogate(c)) return true;
            i += Character.charCount(c);
        }
        return false;
    }

    /** A plain loop: this runs on every text field of every message. */
    private static String problem(String s, boolean lines, boolean name) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            String refusal = refusal(c, lines, name);
            if (refusal != null) return refusal;
            i += Character.charCount(c);
        }
        return null;
    }

    private static String refusal(int c, boolean lines, boolean name) {
        if (isLoneSurrogate(c)) return "must be well-formed Unicode, without a lone surrogate (" + hex(c) + ")";
        if (Character.getType(c) == Character.CONTROL && !(lines && (c == '\n' || c == '\t'))) {
            return "must not contain control characters (" + hex(c) + ")";
        }
        if (!lines && (c == 0x2028 || c == 0x2029)) return "must be one line, without a line separator (" + hex(c) + ")";
        if (name && bidiControl(c)) {
            return "must not contain bidirectional controls (" + hex(c) + "): they change the order in which others read it";
        }
        return null;
    }

    /** The embeddings, overrides and isolates, and the marks LRM, RLM and ALM. */
    private static boolean bidiControl(int c) {
        return c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069 || c == 0x200E || c == 0x200F || c == 0x061C;
    }

    private static boolean invisible(int c) {
        if (Character.isWhitespace(c) || Character.isSpaceChar(c)) return true;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK,
                 Character.SURROGATE -> true;
            // Letters and symbols that draw nothing: the Hangul fillers, the blank Braille pattern.
            default -> c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800;
        };
    }

    private static boolean isLoneSurrogate(int c) {
        return c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE; // codePointAt gives a paired one as one code point
    }

    private static String hex(int c) {
        return String.format("U+%04X", c);
    }
}
