package parley.account;

import java.text.Normalizer;
import java.util.regex.Pattern;
import parley.room.Text;

/**
 * The rules for what people type: usernames, display names, passwords, invitation codes. Each check
 * returns the value to use or throws {@link AccountException} naming the field.
 */
public final class Credentials {
    private Credentials() {}

    public static final int USERNAME_MAX = 32;
    public static final int NAME_MAX = 64;
    /** NIST SP 800-63B: at least 8; a cap keeps hashing cheap to refuse (Argon2 reads all of it). */
    public static final int PASSWORD_MIN = 8;
    public static final int PASSWORD_MAX = 256;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1," + (USERNAME_MAX - 1) + "}");
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** 2 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit. Unique ignoring case. */
    public static String username(String value) {
        if (value == null || value.isBlank()) throw AccountException.invalid("username", "username is required");
        String v = value.strip();
        if (!USERNAME.matcher(v).matches()) {
            throw AccountException.invalid("username", "a username is 2 to " + USERNAME_MAX
                    + " letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return v;
    }

    /**
     * What others see: 1 to 64 characters after trimming, a name as {@link Text#name} says (no control
     * or bidirectional control characters, something visible); absent or empty means the username.
     */
    public static String displayName(String value, String username) {
        if (value == null) return username;
        String v = value.strip();
        if (v.isEmpty()) return username;
        if (v.length() > NAME_MAX) throw AccountException.invalid("name", "a name is at most " + NAME_MAX + " characters");
        String problem = Text.name(v);
        if (problem != null) throw AccountException.invalid("name", "a name " + problem);
        return v;
    }

    /**
     * 8 to 256 characters (Unicode code points, after NFKC normalisation, so that the same password typed
     * on two keyboards is the same). Any character is allowed; no composition rules (NIST SP 800-63B).
     * Far longer input is refused before it is normalised.
     */
    public static String password(String field, String value) {
        if (value == null || value.isEmpty()) throw AccountException.invalid(field, field + " is required");
        if (value.length() > 4 * PASSWORD_MAX) throw tooLong(field);
        if (Text.hasLoneSurrogate(value)) {
            // It would be hashed as UTF-8 with "?" in its place: another password than the one given.
            throw AccountException.invalid(field, "a password must be well-formed Unicode, without a lone surrogate");
        }
        String v = Normalizer.normalize(value, Normalizer.Form.NFKC);
        int length = v.codePointCount(0, v.length());
        if (length > PASSWORD_MAX) throw tooLong(field);
        if (length < PASSWORD_MIN) {
            throw AccountException.invalid(field, "a password is at least " + PASSWORD_MIN + " characters");
        }
        return v;
    }

    /** A password given to be checked (sign-in): normalised like a new one; too long matches nothing, so is refused. */
    public static String givenPassword(String field, String value) {
        if (value == null || value.isEmpty()) throw AccountException.invalid(field, field + " is required");
        if (value.length() > 4 * PASSWORD_MAX) throw tooLong(field);
        String v = Normalizer.normalize(value, Normalizer.Form.NFKC);
        if (v.codePointCount(0, v.length()) > PASSWORD_MAX) throw tooLong(field);
        return v;
    }

    private static AccountException tooLong(String field) {
        return AccountException.invalid(field, "a password is at most " + PASSWORD_MAX + " characters");
    }

    /** An invitation code as the server made it; null when absent. */
    public static String invitation(String value) {
        if (value == null || value.isEmpty()) return null;
        if (!CODE.matcher(value).matches()) throw AccountException.invalid("invitation", "this is not an invitation code");
        return value;
    }
}
