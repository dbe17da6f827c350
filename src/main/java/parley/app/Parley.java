package parley.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.account.Accounts;
import parley.account.Passwords;
import parley.bus.Bus;
import parley.bus.LocalBus;
import parley.room.Hub;
import parley.room.Fact;
import parley.store.SqliteStore;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import parley.transport.IceServers;
import parley.transport.ServerMetrics;
import parley.transport.WebServer;

/** A running Parley: the only place that knows every package, and wires them. */
public final class Parley implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Parley.class);

    private final Vertx vertx;
    private final SqliteStore store;
    private final Accounts accounts;
    private final Bus<Fact> bus;
    private final Hub hub;
    private final WebServer web;
    private final PrometheusMeterRegistry registry; // null: no metrics
    private final int port;

    private Parley(Settings s) {
        store = new SqliteStore(s.sqliteFile(), s.storeBatchMax(), s.storeQueueMax(), 4);
        accounts = accounts(store, s);
        bus = new LocalBus<>();
        hub = Hub.open(store, store, bus, new Hub.Limits(s.maxTextChars(), 50, s.historyPageMax(), s.catchupMax(), s.callMax(),
                s.maxRoomsPerUser(), Duration.ofMillis(s.readMarkerDelayMillis()), s.unreadCountMax(), s.searchPageMax(),
                s.searchMaxChars(), s.searchesPerSecond()), Clock.systemUTC());
        if (hub.rooms().isEmpty()) hub.createRoom("general", "Everyone, everything", parley.room.RoomKind.PUBLIC, null).join();
        registry = s.metricsToken() == null ? null : registry(store);
        VertxOptions vertxOptions = new VertxOptions().setEventLoopPoolSize(s.eventLoops());
        vertx = registry == null ? Vertx.vertx(vertxOptions) : Vertx.builder().with(vertxOptions.setMetricsOptions(vertxMetrics()))
                .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry)).build();
        web = new WebServer(vertx, new WebServer.Options(s.bind(), s.port(), s.maxFrameBytes(), s.maxQueuedBytes(), s.eventLoops(),
                new IceServers(s.stunUrls(), s.turnUrls(), s.turnSecret(), s.turnTtlSeconds(), s.iceRelayOnly(), Clock.systemUTC()),
                java.time.Duration.ofSeconds(s.callGraceSeconds()), s.dataDir().resolve("files"), s.maxUploadBytes(),
                new WebServer.Guards(s.allowedOrigins(), s.messagesPerSecond(), s.messageBurst(), s.maxConnections(),
                        s.maxConnectionsPerAddress(), s.maxConnectionsPerUser(), Duration.ofSeconds(s.handshakeTimeoutSeconds()),
                        Duration.ofSeconds(s.requestBodyTimeoutSeconds()), Duration.ofSeconds(s.helloTimeoutSeconds()),
                        Duration.ofSeconds(s.idleTimeoutSeconds()), s.trustedProxies()),
                s.tls() ? new WebServer.Tls(s.tlsCert(), s.tlsKey()) : null), hub, accounts,
                new WebServer.CallReports(s.callReportMaxBytes(), s.callReportsPerMinute(), Duration.ofDays(s.callRetentionDays())),
                registry == null ? ServerMetrics.NONE : new ServerMetrics(registry),
                registry == null ? null : new WebServer.MetricsEndpoint(s.metricsToken(), registry::scrape));
        try {
            port = web.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + s.bind() + ":" + s.port() + ": " + rootMessage(e), e);
        }
    }

    /**
     * The registry {@code GET /metrics} shows: the store's commits and queue, the JVM and the process; the
     * transport adds its own meters, and Vert.x its HTTP server's.
     */
    private static PrometheusMeterRegistry registry(SqliteStore store) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        store.bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Vert.x's own meters, for its HTTP server only (requests by method and status, active WebSockets): its
     * TCP meters would count every read and write of every socket, which the hot path does not need.
     */
    private static io.vertx.micrometer.MicrometerMetricsOptions vertxMetrics() {
        io.vertx.micrometer.MicrometerMetricsOptions options = new io.vertx.micrometer.MicrometerMetricsOptions().setEnabled(true);
        for (io.vertx.micrometer.MetricsDomain domain : io.vertx.micrometer.MetricsDomain.values()) {
            if (domain != io.vertx.micrometer.MetricsDomain.HTTP_SERVER) options.addDisabledMetricsCategory(domain);
        }
        return options;
    }

    /** The accounts of the store, with the settings' policy; also used by the {@code user} command. */
    static Accounts accounts(SqliteStore store, Settings s) {
        return new Accounts(store, new Passwords(), Clock.systemUTC(), new Accounts.Policy(
                Accounts.SignUp.valueOf(s.signup().toUpperCase(java.util.Locale.ROOT)), Duration.ofDays(s.sessionDays()),
                s.signinFailuresPerAccount(), s.signinFailuresPerAddress(), Duration.ofMinutes(15),
                Runtime.getRuntime().availableProcessors()));
    }

    public static Parley start(Settings settings) {
        return new Parley(settings);
    }

    public int port() {
        return port;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }

    /** Closes sockets (1001), stops taking writes, commits what is queued, and closes the store. */
    @Override
    public void close() {
        if (web != null) {
            try {
                web.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("stopping the web server: {}", e.toString());
            }
        }
        if (vertx != null) vertx.close();
        hub.close();
        bus.close();
        accounts.close();
        store.close();
    }
}
