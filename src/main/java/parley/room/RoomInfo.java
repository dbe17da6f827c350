package parley.room;

/**
 * What a room looks like from outside, to one person: {@code online} counts the members joined on this
 * node; {@code role} is that person's role in the room (null when they have none: a public room);
 * {@code with} is, for a direct room, the other person (whose name is then the room's name), else null.
 */
public record RoomInfo(RoomId id, String name, String topic, long lastSeq, int online, RoomKind kind, Role role, UserRef with) {

    /** A public room, seen by someone without a role in it. */
    public RoomInfo(RoomId id, String name, String topic, long lastSeq, int online) {
        this(id, name, topic, lastSeq, online, RoomKind.PUBLIC, null, null);
    }
}
