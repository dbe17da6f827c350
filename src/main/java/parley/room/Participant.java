package parley.room;

/**
 * Someone in a room's call. {@code order} is their place in joining order (1, 2, 3, ... within one call):
 * between two participants the one who joined later is the polite peer of perfect negotiation.
 * {@code media} is what they say they send, so that the others can show it (a muted mark, say).
 */
public record Participant(ClientInfo client, int order, Media media) {
    /** Microphone on, camera on, sharing the screen. */
    public record Media(boolean audio, boolean video, boolean screen) {
        public static final Media NONE = new Media(false, false, false);
    }

    Participant with(Media m) {
        return new Participant(client, order, m);
    }
}
