package parley.protocol;

/** The error codes of {@code {"type":"error"}} replies; docs/protocol.md explains each. */
public enum ErrorCode {
    BAD_JSON("bad_json"),
    UNKNOWN_TYPE("unknown_type"),
    BAD_MESSAGE("bad_message"),
    TOO_LARGE("too_large"),
    HELLO_FIRST("hello_first"),
    BAD_STATE("bad_state"),
    NO_SUCH_ROOM("no_such_room"),
    NOT_JOINED("not_joined"),
    NAME_TAKEN("name_taken"),
    UNAVAILABLE("unavailable"),
    NOT_IN_CALL("not_in_call"),
    CALL_FULL("call_full"),
    NO_SUCH_PARTICIPANT("no_such_participant"),
    NO_SUCH_FILE("no_such_file"),
    NOT_UPLOADED("not_uploaded"),
    RATE_LIMITED("rate_limited"),
    FORBIDDEN("forbidden"),
    NO_SUCH_USER("no_such_user"),
    NO_SUCH_MESSAGE("no_such_message"),
    LIMIT_REACHED("limit_reached"),
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return wire;
    }
}
