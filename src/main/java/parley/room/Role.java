package parley.room;

import java.util.Locale;

/** A person's role in a room, strongest first. */
public enum Role {
    OWNER,
    MODERATOR,
    MEMBER;

    /** Whether this role may act on someone with {@code other} (null: no role); an owner also on owners. */
    boolean outranks(Role other) {
        return this == OWNER || (this == MODERATOR && (other == null || other == MEMBER));
    }

    boolean atLeast(Role other) {
        return ordinal() <= other.ordinal();
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of this wire name, or null when it names none. */
    public static Role of(String wire) {
        for (Role r : values()) if (r.wire().equals(wire)) return r;
        return null;
    }
}
