package parley.room;

public record SessionId(String value) {
    public SessionId {
        Ids.require("session id", value);
    }

    @Override
    public String toString() {
        return value;
    }
}
