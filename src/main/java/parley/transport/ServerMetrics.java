package parley.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import parley.protocol.ErrorCode;
import parley.room.Hub;

/**
 * What the transport counts for operators (docs/ops/metrics.md lists every metric). Every meter is made
 * once, here: on a hot path counting is one {@link Counter#increment()} (a striped adder, no allocation),
 * and the gauges are read only when scraped. Without a registry of its own ({@link #NONE}) every meter is
 * Micrometer's no-op.
 */
public final class ServerMetrics {
    /** Counts nothing: for servers without metrics, and for tests of other things. */
    public static final ServerMetrics NONE = new ServerMetrics(new CompositeMeterRegistry());

    private final MeterRegistry registry;
    final Counter messages;
    final Counter deliveries;
    final Counter callReports;
    final Counter turnCredentials;
    final Counter fileBytesIn;
    final Counter fileBytesOut;
    final Counter signinBadCredentials;
    final Counter signinThrottled;
    private final Map<ErrorCode, Counter> refusals = new EnumMap<>(ErrorCode.class);

    public ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
        messages = Counter.builder("parley.messages").description("chat messages and changes stored (sends, edits, deletions, reactions; not duplicates)")
                .register(registry);
        deliveries = Counter.builder("parley.deliveries").description("room events handed to connections (messages, presence, typing, calls, signals)")
                .register(registry);
        callReports = Counter.builder("parley.call.reports").description("call reports stored").register(registry);
        turnCredentials = Counter.builder("parley.turn.credentials").description("TURN credentials handed out").register(registry);
        fileBytesIn = Counter.builder("parley.file.bytes").baseUnit("bytes").tag("direction", "in")
                .description("bytes of files uploaded and kept, and downloaded").register(registry);
        fileBytesOut = Counter.builder("parley.file.bytes").baseUnit("bytes").tag("direction", "out")
                .description("bytes of files uploaded and kept, and downloaded").register(registry);
        signinBadCredentials = Counter.builder("parley.signin.failures").tag("reason", "bad_credentials")
                .description("sign-ins refused: a wrong username or password, or a disabled account; or too many failures").register(registry);
        signinThrottled = Counter.builder("parley.signin.failures").tag("reason", "throttled")
                .description("sign-ins refused: a wrong username or password, or a disabled account; or too many failures").register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            refusals.put(code, Counter.builder("parley.refusals").tag("reason", code.wire())
                    .description("client messages answered with an error, by its code").register(registry));
        }
    }

    void refused(ErrorCode code) {
        refusals.get(code).increment();
    }

    /** The gauges read from the hub and the connections, when scraped. */
    void watch(Hub hub, Supplier<Integer> tcpConnections, Supplier<Integer> webSockets) {
        gauge("parley.connections", "connections open: tcp (HTTP and WebSocket together) and websocket", tcpConnections, "kind", "tcp");
        gauge("parley.connections", "connections open: tcp (HTTP and WebSocket together) and websocket", webSockets, "kind", "websocket");
        gauge("parley.rooms", "rooms on this server", () -> hub.rooms().size());
        gauge("parley.room.members", "connections joined to rooms, counted once per room", hub::seated);
        gauge("parley.calls", "calls in progress", hub::callsInProgress);
        gauge("parley.call.participants", "people in calls now", hub::callParticipants);
    }

    private void gauge(String name, String description, Supplier<Integer> value, String... tags) {
        Gauge.builder(name, value::get).strongReference(true).description(description).tags(tags).register(registry);
    }
}
