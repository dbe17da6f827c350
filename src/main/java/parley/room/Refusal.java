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
    NO_SUCH_PARTICIPANT,
    /** The person's role in the room does not allow it, or they are banned from it. */
    FORBIDDEN,
    NO_SUCH_USER,
    /** No message with that seq in the room (none at all, or an entry that changes one). */
    NO_SUCH_MESSAGE,
    /** A per-person limit, such as the rooms one may own. */
    LIMIT_REACHED,
    /** Too many requests of a costly kind (searches) in a short time. */
    RATE_LIMITED,
    /** Not valid for this room or person now (a direct room cannot be moderated; the last owner cannot leave). */
    BAD_STATE
}
