package parley.protocol;

/** Field checks shared by the message records. Each failure names the field. */
final class Check {
    private Check() {}

    static ProtocolException bad(String message) {
        return new ProtocolException(ErrorCode.BAD_MESSAGE, message);
    }

    static String ref(String ref) {
        if (ref != null && ref.length() > ClientMessage.MAX_REF) {
            throw bad("ref must be at most " + ClientMessage.MAX_REF + " characters");
        }
        return ref;
    }

    /** Ids are short printable ASCII without spaces: they come from the server or are UUIDs. */
    static String id(String field, String value) {
        if (value == null || value.isEmpty()) throw bad(field + " is required");
        if (value.length() > ClientMessage.MAX_ID) {
            throw bad(field + " must be at most " + ClientMessage.MAX_ID + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) throw bad(field + " must be printable ASCII without spaces");
        }
        return value;
    }

    /** A name shown to people: trimmed, not empty, no control characters. */
    static String displayName(String field, String value, int max) {
        if (value == null) throw bad(field + " is required");
        String v = value.strip();
        if (v.isEmpty()) throw bad(field + " must not be empty");
        if (v.length() > max) throw bad(field + " must be at most " + max + " characters");
        if (hasControl(v)) throw bad(field + " must not contain control characters");
        return v;
    }

    static String optionalText(String field, String value, int max) {
        if (value == null) return null;
        if (value.length() > max) throw bad(field + " must be at most " + max + " characters");
        if (hasControl(value)) throw bad(field + " must not contain control characters");
        return value;
    }

    /** A plain loop: this runs on every field of every message, and a stream allocates for each. */
    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) return true;
        }
        return false;
    }
}
