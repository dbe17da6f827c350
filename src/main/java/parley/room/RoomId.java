package parley.room;

public record RoomId(String value) {
    public RoomId {
        Ids.require("room id", value);
    }

    @Override
    public String toString() {
        return value;
    }
}
