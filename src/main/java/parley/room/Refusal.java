package parley.room;

/** Why the hub refused a request. Nothing was changed. */
public enum Refusal {
    NO_SUCH_ROOM,
    NOT_JOINED,
    NAME_TAKEN,
    TOO_LONG,
    UNAVAILABLE,
    NOT_IN_CALL,
    CALL_FULL,
    NO_SUCH_PARTICIPANT
}
