package parley.bus;

import java.util.function.Consumer;

/**
 * How a fact published for a room reaches every node, this one included.
 *
 * <p>Ordering contract. Who publishes keeps order: a room's messages are published by one thread, the
 * store's completion thread, in commit order, which is seq order; a room's other facts are published under
 * the room's lock. So for one channel an implementation must hand events from one publishing thread to each
 * subscriber in the order they were published. Nothing is promised across channels, or between two
 * publishing threads (two nodes) beyond what the channel's own order gives; handlers may run on several
 * threads at once ({@link LocalBus} runs them on each publisher's thread), so a subscriber serialises
 * itself (the hub's rooms take their lock). {@code publish} must not block: it is called under that lock.
 *
 * <p>What a subscriber may not assume: that nothing is lost or repeated. A bus between processes can drop
 * an event (a reconnecting subscriber) or hand one over twice; so subscribers check what they can. The
 * hub's rooms number their messages and fill a gap from the store when a later message shows it (a lost
 * last message shows when the next one comes, or at the client's next catch-up); presence,
 * typing and signals are not stored, and a lost one is as if it had never been sent (clients recover: a
 * typing mark times out, presence is re-read on join, a call renegotiates).
 *
 * <p>Handlers must not block: they run on the bus's delivery thread (for {@link LocalBus}, the publishing
 * thread itself, so a publish made from a handler is delivered before that publish returns).
 *
 * @param <E> the event type; an implementation that crosses processes is given a codec for it (the hub's
 *            facts hold only domain values, so they serialise without the protocol)
 */
public interface Bus<E> extends AutoCloseable {

    void publish(String channel, E event);

    /** Returns a handle whose {@code close()} stops the delivery to {@code handler}. */
    Subscription subscribe(String channel, Consumer<E> handler);

    @Override
    void close();

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
