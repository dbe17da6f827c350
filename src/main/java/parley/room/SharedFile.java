package parley.room;

/**
 * What a file message says of the file it shares. {@code id} is made by the server (no name from a client
 * reaches the file system); {@code name} and {@code type} are only shown to people; {@code sha256} is
 * lower-case hex, as the sender declared it; {@code stored}: its bytes are on the server and can be
 * downloaded; {@code preview}: a small picture of it that its sender made, or null.
 */
public record SharedFile(String id, String name, long size, String type, String sha256, boolean stored, Preview preview) {

    public SharedFile(String id, String name, long size, String type, String sha256, boolean stored) {
        this(id, name, size, type, sha256, stored, null);
    }

    /**
     * A thumbnail for the message (a {@code data:} URL of a WebP, JPEG or PNG, checked by the protocol) and
     * the size in pixels of the picture it shows, so that a page can lay the full one out before it has it.
     */
    public record Preview(String image, int width, int height) {}
}
