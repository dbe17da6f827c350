package parley.transport;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import parley.protocol.Codec;
import parley.protocol.ServerMessage;
import parley.room.Hub;
import parley.room.UserId;
import parley.account.Accounts;

/**
 * The HTTP side: the browser client, {@code /health}, and {@code /ws}. One HTTP server per event loop,
 * all on the same port, so connections spread over the cores.
 */
public final class WebServer {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WebServer.class);

    /** {@code maxFrameBytes}: larger frames get {@code too_large}; frames beyond the hard limit close the socket. */
    /** {@code callGrace}: how long a dropped call participant may take to resume its session. */
    /** {@code filesDir}: where shared files are kept; {@code maxUploadBytes}: the largest one. */
    /** {@code guards}: the limits that protect the server from its clients; {@code tls}: null for plain HTTP. */
    public record Options(String bind, int port, int maxFrameBytes, int maxQueuedBytes, int eventLoops, IceServers ice,
                          java.time.Duration callGrace, java.nio.file.Path filesDir, long maxUploadBytes, Guards guards, Tls tls) {
        public int hardFrameBytes() {
            return Math.max(256 * 1024, 4 * maxFrameBytes);
        }
    }

    /** See the settings of the same names in {@code Settings}. */
    public record Guards(List<String> allowedOrigins, int messagesPerSecond, int messageBurst, int maxConnections,
                         int maxConnectionsPerAddress, int maxConnectionsPerUser, Duration handshakeTimeout,
                         Duration requestBodyTimeout, Duration helloTimeout, Duration idleTimeout, List<String> trustedProxies) {}

    /**
     * Call reports: {@code maxBytes} the largest report (as JSON), {@code perMinute} how many one connection may
     * send a minute, {@code retention} how long a call's record is kept (purged every {@link #PURGE_EVERY_MS}).
     */
    public record CallReports(int maxBytes, int perMinute, Duration retention) {
        public static final CallReports DEFAULTS = new CallReports(16_384, 6, Duration.ofDays(30));
    }

    /**
     * {@code GET /metrics}: {@code scrape} gives the Prometheus text to a bearer of {@code token}; without an
     * endpoint (null) the route answers 404.
     */
    public record MetricsEndpoint(String token, java.util.function.Supplier<String> scrape) {}

    /** PEM files: the certificate chain and its private key. */
    public record Tls(Path cert, Path key) {}

    /**
     * The page connects only to its own origin: {@code 'self'} covers the same origin's ws: and wss: (CSP 3: current
     * Chromium, since 71; Firefox, every supported ESR; Safari, since 16). Pages of {@code allowed-origins} carry their
     * own sites' policies, not this one.
     */
    private static final String CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private final Vertx vertx;
    private final Options options;
    private final Hub hub;
    private final Services services;
    private final RoomFiles files;
    private final Proxies proxies;
    private final List<HttpServer> servers = new ArrayList<>();
    private final Sockets sockets = new Sockets();
    private final Origins origins;
    private final ConnectionGuard guard;
    private final Accounts accounts;
    private final AccountRoutes accountRoutes;
    private final List<Long> timers = new ArrayList<>();
    private final ServerMetrics metrics;
    private final MetricsEndpoint metricsEndpoint;
    private final CallReports reports;

    /** How often the server looks for accounts disabled by another process (the {@code user} command). */
    private static final long DISABLED_SWEEP_MS = 5_000;
    private static final long EXPIRED_SWEEP_MS = 3_600_000;
    /** How often calls older than their retention are purged. */
    private static final long PURGE_EVERY_MS = 3_600_000;

    public WebServer(Vertx vertx, Options options, Hub hub, Accounts accounts) {
        this(vertx, options, hub, accounts, CallReports.DEFAULTS, ServerMetrics.NONE, null);
    }

    /** {@code metricsEndpoint}: null to answer {@code /metrics} with 404. */
    public WebServer(Vertx vertx, Options options, Hub hub, Accounts accounts, CallReports reports, ServerMetrics metrics,
                     MetricsEndpoint metricsEndpoint) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.metricsEndpoint = metricsEndpoint;
        this.reports = reports;
        this.options = options;
        this.hub = hub;
        this.accounts = accounts;
        Hub.Limits l = hub.limits();
        this.proxies = new Proxies(options.guards().trustedProxies());
        this.origins = new Origins(options.guards().allowedOrigins(), proxies);
        Guards g = options.guards();
        this.guard = new ConnectionGuard(vertx, new ConnectionGuard.Limits(g.maxConnections(), g.maxConnectionsPerAddress(),
                g.handshakeTimeout(), g.requestBodyTimeout()), proxies);
        this.files = new RoomFiles(vertx, options.filesDir(), hub, accounts, origins, java.time.Clock.systemUTC(), g.requestBodyTimeout(),
                metrics);
        this.accountRoutes = new AccountRoutes(vertx, accounts, origins, new SessionCookie(options.tls() != null, proxies), proxies, sockets,
                metrics);
        options.ice().countIn(metrics);
        metrics.watch(hub, guard::open, sockets::size);
        this.services = new Services(hub, new Codec(), new Wire(new Codec(), options.ice()), options.maxFrameBytes(),
                options.maxQueuedBytes(), options.ice(), options.callGrace(),
                new ServerMessage.Limits(options.maxFrameBytes(), l.maxTextChars(), l.historyPageMax(), l.catchupMax(),
                        options.guards().messagesPerSecond(), options.guards().messageBurst(), l.unreadCountMax()),
                files, options.maxUploadBytes(), options.guards(), reports, metrics);
    }

    /**
     * Deploys one server per event loop on the same port (Vert.x shares it among them). Port 0 means a
     * free port: it is chosen first, because servers on port 0 would each get a port of their own.
     */
    public Future<Integer> start() {
        int port = options.port() != 0 ? options.port() : freePort(options.bind());
        purgeCalls().join(); // before the first request: no one sees a call older than its retention
        sweepDisabled();
        synchronized (timers) {
            timers.add(vertx.setPeriodic(EXPIRED_SWEEP_MS, t -> accounts.deleteExpired()));
            timers.add(vertx.setPeriodic(PURGE_EVERY_MS, t -> purgeCalls()));
        }
        return listen(port, options.eventLoops()).map(port);
    }

    /**
     * Closes, within {@link #DISABLED_SWEEP_MS}, the sockets of accounts that were disabled by another
     * process (the {@code user disable} command writes the database directly), and those whose session
     * expired ({@code session-days}) while they were open. Disabling through the API closes them at once;
     * this catches the rest. Each look overlaps the previous one, which is harmless.
     */
    private void sweepDisabled() {
        long[] since = {System.currentTimeMillis()};
        synchronized (timers) {
            timers.add(vertx.setPeriodic(DISABLED_SWEEP_MS, t -> {
                long from = since[0] - DISABLED_SWEEP_MS;
                since[0] = System.currentTimeMillis();
                sockets.forEach(s -> {
                    if (s.sessionExpires() <= since[0]) s.endSession();
                });
                accounts.disabledSince(from).whenComplete((ids, e) -> {
                    if (ids != null) ids.forEach(id -> sockets.endUser(id, null));
                });
            }));
        }
    }

    /** Forgets calls older than their retention; a failure is tried again at the next purge. */
    private java.util.concurrent.CompletableFuture<Integer> purgeCalls() {
        return hub.purgeCalls(reports.retention()).whenComplete((n, e) -> {
            if (e != null) log.warn("purging old calls failed: {}", e.toString());
            else if (n > 0) log.info("purged {} calls older than {} days", n, reports.retention().toDays());
        }).exceptionally(e -> 0);
    }

    private static int freePort(String bind) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(bind))) {
            return probe.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot find a free port on " + bind, e);
        }
    }

    /** Deploys {@code instances} servers; Vert.x gives each its own event loop and shares the port. */
    private Future<String> listen(int port, int instances) {
        return vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                HttpServerOptions http = new HttpServerOptions()
                        .setHost(options.bind())
                        .setPort(port)
                        // HTTP/1.1 only: browsers never upgrade plain http to HTTP/2 (h2c), and RoomFiles answers
                        // a refused upload with HTTP/1 means (drain the body, then Connection: close).
                        .setHttp2ClearTextEnabled(false)
                        .setMaxWebSocketFrameSize(options.hardFrameBytes())
                        .setMaxWebSocketMessageSize(options.hardFrameBytes())
                        .setPerMessageWebSocketCompressionSupported(false)
                        .setPerFrameWebSocketCompressionSupported(false)
                        .setRegisterWebSocketWriteHandlers(false)
                        .setIdleTimeout((int) options.guards().idleTimeout().toSeconds())
                        .setIdleTimeoutUnit(TimeUnit.SECONDS)
                        // Every HTTP response is written on its request's event loop (handlers that wait
                        // for storage hop back first), so Vert.x may skip the cross-thread outbound queue
                        // of each HTTP/1 connection. That queue allocates a 1,024-slot chunk up front
                        // (4.8 KB), and an upgraded WebSocket keeps its HTTP/1 connection for good.
                        .setStrictThreadMode(true);
                if (options.tls() != null) {
                    http.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(options.tls().cert().toString()).setKeyPath(options.tls().key().toString()));
                }
                HttpServer server = vertx.createHttpServer(http);
                // One outbox per server instance, that is per event loop: Vert.x gives each connection a
                // context of its own, so the outbox cannot be looked up by context.
                LoopOutbox outbox = new LoopOutbox(context);
                server.connectionHandler(guard::opened);
                // No webSocketHandler: upgrades come as requests, so that /ws is checked (origin, session,
                // connections per address) before it becomes a WebSocket. They skip the router, whose
                // wrappers would stay around the socket for its whole life and hide Vert.x's own socket
                // (WsSession writes to its channel).
                Router router = router();
                server.requestHandler(request -> {
                    boolean upgrade = request.method() == HttpMethod.GET && "/ws".equals(request.path());
                    guard.requested(request, upgrade);
                    if (upgrade) upgrade(request, outbox);
                    else router.handle(request);
                });
                return server.listen().onSuccess(s -> {
                    synchronized (servers) {
                        servers.add(s);
                    }
                });
            }
        }, new DeploymentOptions().setInstances(instances));
    }

    /**
     * {@code GET /ws}: the WebSocket upgrade, after the origin, the session cookie and the address's count
     * are checked. The session is looked up in the store; the upgrade then goes on on the request's own
     * event loop (strict thread mode), with the request paused meanwhile so that Vert.x keeps it for us.
     */
    private void upgrade(HttpServerRequest request, LoopOutbox outbox) {
        if (!origins.allows(request)) {
            refuse(request, 403, "this page's origin may not open a Parley WebSocket");
            return;
        }
        String token = SessionCookie.token(request);
        if (token == null) {
            refuse(request, 401, "sign in first");
            return;
        }
        String address = proxies.clientAddress(request);
        if (!guard.tryOpenSocket(address)) {
            refuse(request, 429, "too many connections from this address");
            return;
        }
        request.pause();
        Context context = vertx.getOrCreateContext();
        long lookedUp = System.currentTimeMillis();
        accounts.session(token).whenComplete((session, e) -> context.runOnContext(v -> {
            if (e != null || session == null) {
                if (e != null) log.warn("the session of an upgrade could not be read: {}", e.toString());
                guard.socketClosed(address);
                refuse(request, e != null ? 503 : 401, e != null ? "storage is unavailable; try again" : "sign in first");
                request.resume();
                return;
            }
            UserId user = session.user().id();
            if (!sockets.reserve(user, options.guards().maxConnectionsPerUser())) {
                guard.socketClosed(address);
                refuse(request, 429, "too many connections for this account (max-connections-per-user)");
                request.resume();
                return;
            }
            request.toWebSocket().onComplete(ws -> {
                Runnable connectionClosed = guard.upgraded(request.connection());
                // Vert.x keeps the upgrade request's headers for the life of the socket; Parley has no use for
                // them once checked, and a browser's (user agent, cookies, languages) weigh a kilobyte or two.
                ws.headers().clear();
                WsSession[] socket = new WsSession[1];
                socket[0] = new WsSession(ws, context, outbox, services,
                        new WsSession.Who(session.user().id(), session.user().name(), session.tokenHash(), session.user().admin(), session.expires()), () -> {
                            sockets.remove(socket[0]);
                            guard.socketClosed(address);
                            connectionClosed.run();
                        });
                sockets.add(socket[0], lookedUp);
            }, failed -> { // not an upgrade request: Vert.x has answered it
                sockets.release(user);
                guard.socketClosed(address);
            });
        }));
    }

    /**
     * An upgrade answered with an error. Only refusals get the security headers: a socket keeps its
     * upgrade's response object (and its headers) for life, and a 101 has no use for them.
     */
    private static void refuse(HttpServerRequest request, int status, String reason) {
        HttpServerResponse response = request.response();
        securityHeaders(response);
        response.setStatusCode(status).end(reason);
    }

    private static void securityHeaders(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer");
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            securityHeaders(ctx.response());
            ctx.next();
        });
        router.get("/health").handler(ctx -> {
            Context context = vertx.getOrCreateContext(); // the request's event loop: see setStrictThreadMode
            hub.healthy().whenComplete((ok, e) -> context.runOnContext(v -> health(ctx, e == null && Boolean.TRUE.equals(ok))));
        });
        router.get("/metrics").handler(this::metrics);
        accountRoutes.mount(router);
        router.put("/files/:id").handler(ctx -> {
            guard.bodyStreamed(ctx.request()); // RoomFiles bounds the time without a byte instead
            files.upload(ctx);
        });
        router.get("/files/:id").handler(files::download);
        router.get("/emoji.json").handler(EmojiCatalog::serve);
        // Browser libraries come as WebJars, served from the jar under /vendor/.
        router.get("/vendor/uplot/*").handler(StaticHandler.create("META-INF/resources/webjars/uplot/1.6.30/dist")
                .setCachingEnabled(false));
        router.get().handler(StaticHandler.create("web").setCachingEnabled(false).setIndexPage("index.html"));
        return router;
    }

    /**
     * The Prometheus text, for a bearer of {@code metrics-token} (compared in constant time); 401 to anyone
     * else, 404 while no token is set. Scraping reads every meter, so it runs off the event loop.
     */
    private void metrics(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().putHeader("Cache-Control", "no-store");
        if (metricsEndpoint == null) {
            response.setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("metrics are off: set metrics-token");
            return;
        }
        String given = ctx.request().getHeader("Authorization");
        byte[] expected = ("Bearer " + metricsEndpoint.token()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (given == null || !java.security.MessageDigest.isEqual(given.getBytes(java.nio.charset.StandardCharsets.UTF_8), expected)) {
            response.setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"parley-metrics\"")
                    .putHeader("Content-Type", "text/plain; charset=utf-8").end("metrics need the bearer token (metrics-token)");
            return;
        }
        Context context = vertx.getOrCreateContext();
        vertx.executeBlocking(metricsEndpoint.scrape()::get, false).onComplete(scraped -> context.runOnContext(v -> {
            if (scraped.failed()) {
                log.error("scraping the metrics failed", scraped.cause());
                response.setStatusCode(500).end();
                return;
            }
            response.putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(scraped.result());
        }));
    }

    private static void health(RoutingContext ctx, boolean up) {
        ctx.response()
                .setStatusCode(up ? 200 : 503)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("status", up ? "up" : "down").put("storage", up ? "up" : "down").encode());
    }

    /** Closes every WebSocket with 1001 (going away), then the servers. */
    public Future<Void> stop() {
        synchronized (timers) {
            timers.forEach(vertx::cancelTimer);
            timers.clear();
        }
        sockets.forEach(WsSession::goingAway);
        List<Future<Void>> closing;
        synchronized (servers) {
            closing = servers.stream().map(HttpServer::close).toList();
        }
        return Future.all(closing).mapEmpty();
    }
}
