package parley.protocol;

import parley.room.Text;

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

    /** A name shown to people (parley.room.Text.name): trimmed, not empty, at least one visible character. */
    static String displayName(String field, String value, int max) {
        if (value == null) throw bad(field + " is required");
        String v = value.strip();
        if (v.isEmpty()) throw bad(field + " must not be empty");
        if (v.length() > max) throw bad(field + " must be at most " + max + " characters");
        return refuse(field, Text.name(v), v);
    }

    /** One line of text shown to people (parley.room.Text.line), or null. */
    static String optionalText(String field, String value, int max) {
        if (value == null) return null;
        if (value.length() > max) throw bad(field + " must be at most " + max + " characters");
        return refuse(field, Text.line(value), value);
    }

    /** A message's body (parley.room.Text.body): lines and tabs, no other control characters. */
    static String body(String field, String value) {
        return refuse(field, Text.body(value), value);
    }

    private static String refuse(String field, String problem, String value) {
        if (problem != null) throw bad(field + " " + problem);
        return value;
    }
}
