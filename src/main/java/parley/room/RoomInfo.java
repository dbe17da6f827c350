package parley.room;

/** What a room looks like from outside: {@code online} counts the members joined on this node. */
public record RoomInfo(RoomId id, String name, String topic, long lastSeq, int online) {}
