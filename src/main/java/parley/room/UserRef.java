package parley.room;

/** A person, as rooms show them: their account's id and display name. */
public record UserRef(UserId id, String name) {}
