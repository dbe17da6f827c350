package parley.bus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The single-node bus: delivers synchronously on the publishing thread, which keeps publish order. */
public final class LocalBus<E> implements Bus<E> {
    private final Map<String, List<Consumer<E>>> handlers = new ConcurrentHashMap<>();

    @Override
    public void publish(String channel, E event) {
        List<Consumer<E>> list = handlers.get(channel);
        if (list == null) return;
        for (Consumer<E> h : list) h.accept(event);
    }

    @Override
    public Subscription subscribe(String channel, Consumer<E> handler) {
        handlers.compute(channel, (c, list) -> {
            List<Consumer<E>> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(handler);
            return l;
        });
        return () -> handlers.computeIfPresent(channel, (c, list) -> {
            list.remove(handler);
            return list.isEmpty() ? null : list;
        });
    }

    @Override
    public void close() {
        handlers.clear();
    }
}
