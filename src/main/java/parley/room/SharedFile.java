package parley.room;

/**
 * What a file message says of the file it shares. {@code id} is made by the server (no name from a client
 * reaches the file system); {@code name} and {@code type} are only shown to people; {@code sha256} is
 * lower-case hex, as the sender declared it; {@code stored}: its bytes are on the server and can be
 * downloaded.
 */
public record SharedFile(String id, String name, long size, String type, String sha256, boolean stored) {}
