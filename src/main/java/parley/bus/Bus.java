package parley.bus;

import java.util.function.Consumer;

/**
 * How an event published for a room reaches the members of that room on every node.
 *
 * <p>Ordering contract: events published to one channel by one thread reach each subscriber of that
 * channel in the order they were published. Nothing is promised across channels or across publishing
 * threads. Handlers must not block: they run on the bus's delivery thread (for {@link LocalBus}, the
 * publishing thread itself).
 *
 * @param <E> the event type; an implementation that crosses processes is given a codec for it
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
