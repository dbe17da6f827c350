package parley.room;

public final class RoomException extends RuntimeException {
    private final Refusal refusal;

    public RoomException(Refusal refusal, String message) {
        super(message, null, false, false);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }
}
