package parley.account;

/**
 * Why an account operation was refused. Few kinds, each with one HTTP status (see docs/protocol.md):
 * the transport maps them, the domain only says which.
 */
public final class AccountException extends RuntimeException {

    public enum Kind {
        /** A field is missing or malformed ({@link #field()} names it): 400. */
        INVALID,
        /** Unknown username, wrong password or disabled account, never saying which: 401. */
        BAD_CREDENTIALS,
        /** No session, or not a live one: 401. */
        SIGNED_OUT,
        /** Only an admin may: 403. */
        NOT_ADMIN,
        /** Sign-up needs an invitation, and none (or no valid one) was given: 403. */
        INVITATION_REQUIRED,
        /** There is no account with that username: 404. */
        NO_SUCH_USER,
        /** The username is taken: 409. */
        TAKEN,
        /** Too many failed sign-ins for this account or address; {@link #retryAfterSeconds()}: 429. */
        TOO_MANY_ATTEMPTS,
        /** Too many passwords are being hashed at once: 503. */
        BUSY
    }

    private final Kind kind;
    private final String field;
    private final long retryAfterSeconds;

    private AccountException(Kind kind, String field, long retryAfterSeconds, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static AccountException of(Kind kind, String message) {
        return new AccountException(kind, null, 0, message);
    }

    public static AccountException invalid(String field, String message) {
        return new AccountException(Kind.INVALID, field, 0, message);
    }

    public static AccountException tooMany(long retryAfterSeconds) {
        return new AccountException(Kind.TOO_MANY_ATTEMPTS, null, retryAfterSeconds,
                "too many failed sign-ins; try again in " + retryAfterSeconds + " s");
    }

    public Kind kind() {
        return kind;
    }

    /** The field at fault, for {@link Kind#INVALID}; null otherwise. */
    public String field() {
        return field;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
