package parley.room;

public record UserId(String value) {
    public UserId {
        Ids.require("user id", value);
    }

    @Override
    public String toString() {
        return value;
    }
}
