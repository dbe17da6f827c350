package parley.protocol;

/** A client message that cannot be accepted; becomes an {@code error} reply with {@link #code()}. */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;
    private final String ref;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private ProtocolException(ErrorCode code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    ProtocolException withRef(String ref) {
        return new ProtocolException(code, getMessage(), ref);
    }

    /** The {@code ref} of the refused message, when it could be read; null otherwise. */
    public String ref() {
        return ref;
    }

    public ErrorCode code() {
        return code;
    }
}
