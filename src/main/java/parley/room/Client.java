package parley.room;

/**
 * Someone (or something) that takes part in rooms: a WebSocket session, a test fake, later a bot or
 * an SFU bridge. Its identity is fixed for its lifetime and comes from the server's session.
 */
public interface Client {
    SessionId sessionId();

    UserId userId();

    String name();

    /** Whether the person is a server admin (an owner of every public room). */
    default boolean admin() {
        return false;
    }

    /**
     * Hands a delivery to this client. Must not block and must keep the order of calls from one thread:
     * the hub calls it while holding a room's lock, in the room's order.
     */
    void deliver(Delivery delivery);

    default ClientInfo info() {
        return new ClientInfo(sessionId(), userId(), name());
    }
}
