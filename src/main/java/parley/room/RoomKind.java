package parley.room;

import java.util.Locale;

/** Who may see and join a room (docs/protocol.md, "Kinds of room, roles"). */
public enum RoomKind {
    /** Everyone signed in sees it and may join it, unless banned. */
    PUBLIC,
    /** Only its members see it; owners and moderators add members. */
    PRIVATE,
    /** Two people's direct messages: a private room of exactly those two, with no owner. */
    DIRECT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RoomKind of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
