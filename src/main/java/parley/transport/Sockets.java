package parley.transport;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import parley.room.UserId;

/**
 * The open WebSockets, by user, so that a session that ends (sign-out, a password changed elsewhere, the
 * account disabled) closes its sockets at once. Each socket knows its session's token hash.
 *
 * <p>A socket whose session was looked up just before the session ended may register just after the
 * sockets were closed; so what ended is remembered for {@link #REMEMBER_MS} with its time, and a socket
 * that registers with a lookup older than that is closed as it registers.
 */
final class Sockets {
    private static final long REMEMBER_MS = 60_000;

    /** Sessions of {@code user} ended at {@code at}, except {@code keep} (null: all). */
    private record Ended(String keep, long at) {}

    private final Map<UserId, Set<WsSession>> byUser = new ConcurrentHashMap<>();
    /** Sockets open or being opened, by user: {@link #reserve} before the upgrade, released as they close. */
    private final Map<UserId, Integer> counts = new ConcurrentHashMap<>();
    private final Map<String, Long> endedSessions = new ConcurrentHashMap<>();
    private final Map<UserId, Ended> endedUsers = new ConcurrentHashMap<>();

    /** Registers a socket whose session was found live at {@code lookedUpAt} (epoch ms). */
    void add(WsSession socket, long lookedUpAt) {
        byUser.computeIfAbsent(socket.userId(), u -> ConcurrentHashMap.newKeySet()).add(socket);
        Ended user = endedUsers.get(socket.userId());
        Long session = endedSessions.get(socket.sessionKey());
        if ((session != null && session >= lookedUpAt)
                || (user != null && user.at() >= lookedUpAt && !socket.sessionKey().equals(user.keep()))) {
            socket.endSession();
        }
    }

    void remove(WsSession socket) {
        byUser.computeIfPresent(socket.userId(), (u, set) -> {
            set.remove(socket);
            return set.isEmpty() ? null : set;
        });
        release(socket.userId());
    }

    /** Counts a socket about to open for {@code user}; false, counting nothing, when they have {@code max} already. */
    boolean reserve(UserId user, int max) {
        boolean[] reserved = new boolean[1];
        counts.compute(user, (u, n) -> {
            int open = n == null ? 0 : n;
            reserved[0] = open < max;
            return reserved[0] ? open + 1 : (n == null ? null : n);
        });
        return reserved[0];
    }

    /** A socket counted by {@link #reserve} closed, or never opened. */
    void release(UserId user) {
        counts.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }

    /** Closes the sockets of one session. */
    void endSession(UserId user, String sessionKey) {
        long now = forget();
        endedSessions.put(sessionKey, now);
        Set<WsSession> open = byUser.get(user);
        if (open != null) open.stream().filter(s -> s.sessionKey().equals(sessionKey)).forEach(WsSession::endSession);
    }

    /** Closes every socket of {@code user}, except those of session {@code keep} (null: all of them). */
    void endUser(UserId user, String keep) {
        long now = forget();
        endedUsers.put(user, new Ended(keep, now));
        Set<WsSession> open = byUser.get(user);
        if (open != null) open.stream().filter(s -> !s.sessionKey().equals(keep)).forEach(WsSession::endSession);
    }

    /** Sockets open now (read when metrics are scraped). */
    int size() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }

    void forEach(Consumer<WsSession> action) {
        byUser.values().forEach(set -> set.forEach(action));
    }

    /** Drops what ended long ago; returns the time now. */
    private long forget() {
        long now = System.currentTimeMillis();
        endedSessions.values().removeIf(t -> t < now - REMEMBER_MS);
        endedUsers.values().removeIf(e -> e.at() < now - REMEMBER_MS);
        return now;
    }
}
