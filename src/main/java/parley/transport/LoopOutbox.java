package parley.transport;

import io.vertx.core.Context;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sessions of one event loop that have frames waiting. When a room delivers a message to 500
 * members, this schedules one task per event loop (which writes to every waiting session) instead of
 * one task per member, which saves a task, a queue hand-off and often a wake-up per delivery.
 */
final class LoopOutbox {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LoopOutbox.class);
    private final Context context;
    private final Queue<WsSession> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    LoopOutbox(Context context) {
        this.context = context;
    }

    /** Called by a session, once, when its queue goes from empty to non-empty. Any thread. */
    void ready(WsSession session) {
        waiting.add(session);
        if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
    }

    private void drain() {
        do {
            scheduled.set(false);
            WsSession s;
            while ((s = waiting.poll()) != null) {
                try {
                    s.drain();
                } catch (RuntimeException e) {
                    log.error("writing to {} failed", s.sessionId(), e);
                }
            }
        } while (!waiting.isEmpty() && scheduled.compareAndSet(false, true));
    }
}
