package parley.transport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.account.AccountException;
import parley.account.Accounts;

/**
 * The account API under {@code /api} (docs/protocol.md, "Accounts"): JSON in and out, the session in the
 * {@code parley_session} cookie. Every answer is written on the request's own event loop (the server runs
 * in strict thread mode): handlers capture it first and hop back to it when the store or the password
 * hashing answers.
 *
 * <p>A POST must be {@code application/json} (an HTML form on another site cannot send that without
 * the browser asking first) and, when it carries an {@code Origin}, come from an allowed one; SameSite=Lax
 * already keeps the cookie off other sites' requests. Bodies are at most {@link #MAX_BODY} bytes: a
 * longer one is refused before it is read, let alone hashed.
 */
final class AccountRoutes {
    private static final Logger log = LoggerFactory.getLogger(AccountRoutes.class);
    static final int MAX_BODY = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Vertx vertx;
    private final Accounts accounts;
    private final Origins origins;
    private final SessionCookie cookie;
    private final Proxies proxies;
    private final Sockets sockets;

    private final ServerMetrics metrics;

    AccountRoutes(Vertx vertx, Accounts accounts, Origins origins, SessionCookie cookie, Proxies proxies, Sockets sockets,
                  ServerMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.accounts = accounts;
        this.origins = origins;
        this.cookie = cookie;
        this.proxies = proxies;
        this.sockets = sockets;
    }

    void mount(Router router) {
        router.get("/api/session").handler(this::session);
        router.get("/api/me").handler(ctx -> signedIn(ctx, (context, s) -> context.runOnContext(v -> ok(ctx, 200, user(s.user())))));
        router.post("/api/signup").handler(ctx -> post(ctx, Set.of("username", "password", "name", "invitation"), this::signUp));
        router.post("/api/signin").handler(ctx -> post(ctx, Set.of("username", "password"), this::signIn));
        router.post("/api/signout").handler(ctx -> post(ctx, Set.of(), this::signOut));
        router.post("/api/password").handler(ctx -> post(ctx, Set.of("current", "password"),
                (c, f) -> signedIn(c, (context, s) -> changePassword(c, context, s, f))));
        router.post("/api/invitations").handler(ctx -> post(ctx, Set.of(),
                (c, f) -> signedIn(c, (context, s) -> answer(c, context, accounts.invite(s), i -> ok(c, 201,
                        JSON.createObjectNode().put("code", i.code()).put("expires", i.expires()))))));
        router.post("/api/users/disable").handler(ctx -> post(ctx, Set.of("username"),
                (c, f) -> signedIn(c, (context, s) -> setDisabled(c, context, s, f.get("username"), true))));
        router.post("/api/users/enable").handler(ctx -> post(ctx, Set.of("username"),
                (c, f) -> signedIn(c, (context, s) -> setDisabled(c, context, s, f.get("username"), false))));
        router.route("/api/*").handler(ctx -> error(ctx, 404, "not_found", "no such API", null));
    }

    // ---- the routes -------------------------------------------------------------------------------

    /** Who is signed in here (null when no one), and how one signs up: what the page needs to start. */
    private void session(RoutingContext ctx) {
        Context context = vertx.getOrCreateContext();
        String token = SessionCookie.token(ctx.request());
        CompletableFuture<Accounts.Session> session = accounts.session(token);
        answer(ctx, context, session.thenCombine(accounts.firstAccount(), (s, first) -> JSON.createObjectNode()
                .<ObjectNode>set("user", s == null ? null : user(s.user()))
                .put("signup", accounts.signUpMode().name().toLowerCase(Locale.ROOT))
                .put("firstAccount", first)), body -> {
                    if (token != null && body.get("user").isNull()) cookie.clear(ctx.request(), ctx.response()); // a session that ended
                    ok(ctx, 200, body);
                });
    }

    private void signUp(RoutingContext ctx, Map<String, String> f) {
        Context context = vertx.getOrCreateContext();
        answer(ctx, context, accounts.signUp(f.get("username"), f.get("name"), f.get("password"), f.get("invitation"), address(ctx)),
                signed -> signedIn(ctx, 201, signed));
    }

    private void signIn(RoutingContext ctx, Map<String, String> f) {
        Context context = vertx.getOrCreateContext();
        String address = address(ctx);
        answer(ctx, context, accounts.signIn(f.get("username"), f.get("password"), address).whenComplete((signed, e) -> {
            AccountException refused = e == null ? null : Accounts.refusal(e);
            // For operators (and fail2ban): who was refused, from where. Never the password.
            if (refused != null && refused.kind() == AccountException.Kind.BAD_CREDENTIALS) metrics.signinBadCredentials.increment();
            if (refused != null && refused.kind() == AccountException.Kind.TOO_MANY_ATTEMPTS) metrics.signinThrottled.increment();
            if (refused != null && refused.kind() != AccountException.Kind.INVALID) {
                log.info("sign-in refused ({}) for {} from {}", refused.kind().name().toLowerCase(Locale.ROOT), f.get("username"), address);
            }
        }), signed -> signedIn(ctx, 200, signed));
    }

    private void signedIn(RoutingContext ctx, int status, Accounts.SignedIn signed) {
        cookie.set(ctx.request(), ctx.response(), signed.token(), signed.expires());
        ok(ctx, status, user(signed.user()));
    }

    /** Ends this browser's session, and closes its sockets; signed out already is fine too. */
    private void signOut(RoutingContext ctx, Map<String, String> f) {
        Context context = vertx.getOrCreateContext();
        String token = SessionCookie.token(ctx.request());
        answer(ctx, context, accounts.session(token).thenCompose(s -> accounts.signOut(token).thenApply(hash -> {
            if (s != null && hash != null) sockets.endSession(s.user().id(), hash);
            return hash;
        })), hash -> {
            cookie.clear(ctx.request(), ctx.response());
            ok(ctx, 200, JSON.createObjectNode());
        });
    }

    /** A new password; every other session of the account ends, and its sockets close. */
    private void changePassword(RoutingContext ctx, Context context, Accounts.Session s, Map<String, String> f) {
        answer(ctx, context, accounts.changePassword(s, f.get("current"), f.get("password"), address(ctx)).thenApply(v -> {
            sockets.endUser(s.user().id(), s.tokenHash());
            return v;
        }), v -> ok(ctx, 200, JSON.createObjectNode()));
    }

    private void setDisabled(RoutingContext ctx, Context context, Accounts.Session s, String username, boolean disabled) {
        answer(ctx, context, accounts.setDisabled(s, username, disabled).thenApply(u -> {
            if (disabled) sockets.endUser(u.id(), null);
            return u;
        }), u -> ok(ctx, 200, user(u).put("disabled", disabled)));
    }

    // ---- the plumbing -------------------------------------------------------------------------------

    /**
     * Runs {@code then} with the live session of the request, or answers 401. {@code then} is called on a
     * store thread with the request's context: it hops back itself (usually through {@link #answer}).
     */
    private void signedIn(RoutingContext ctx, BiConsumer<Context, Accounts.Session> then) {
        Context context = vertx.getOrCreateContext();
        accounts.session(SessionCookie.token(ctx.request())).whenComplete((s, e) -> {
            if (e != null) context.runOnContext(v -> failed(ctx, e));
            else if (s == null) context.runOnContext(v -> error(ctx, 401, "signed_out", "sign in first", null));
            else then.accept(context, s);
        });
    }

    /** Waits for {@code result} and, back on the request's event loop, answers with {@code ok} or the refusal. */
    private <T> void answer(RoutingContext ctx, Context context, CompletableFuture<T> result, Consumer<T> ok) {
        result.whenComplete((value, e) -> context.runOnContext(v -> {
            if (e != null) failed(ctx, e);
            else ok.accept(value);
        }));
    }

    /**
     * Checks a POST (origin, JSON, size), reads its body and hands the fields to {@code then}, on the
     * request's event loop. Only {@code fields} may appear, each a string; an empty body is {@code {}}.
     */
    private void post(RoutingContext ctx, Set<String> fields, BiConsumer<RoutingContext, Map<String, String>> then) {
        HttpServerRequest request = ctx.request();
        request.pause(); // until it is known to be worth reading
        if (!origins.allows(request)) {
            refuse(ctx, 403, "forbidden_origin", "this page's origin may not use Parley's API");
            return;
        }
        String type = request.getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).strip().matches("application/json\\s*(;.*)?")) {
            refuse(ctx, 415, "unsupported_media_type", "send JSON, with Content-Type: application/json");
            return;
        }
        if (Refuse.parseLength(request.getHeader("Content-Length")) > MAX_BODY) {
            refuse(ctx, 413, "too_large", "a request body is at most " + MAX_BODY + " bytes");
            return;
        }
        Buffer body = Buffer.buffer();
        boolean[] over = {false};
        request.handler(chunk -> {
            if (over[0]) return;
            body.appendBuffer(chunk);
            if (body.length() > MAX_BODY) {
                over[0] = true;
                refuse(ctx, 413, "too_large", "a request body is at most " + MAX_BODY + " bytes");
            }
        });
        request.endHandler(end -> {
            if (over[0]) return;
            Map<String, String> values;
            try {
                values = fields(body, fields);
            } catch (AccountException e) {
                failed(ctx, e);
                return;
            } catch (java.io.IOException e) {
                error(ctx, 400, "bad_json", "the body is not one well-formed JSON object", null);
                return;
            }
            then.accept(ctx, values);
        });
        request.resume();
    }

    private static Map<String, String> fields(Buffer body, Set<String> allowed) throws java.io.IOException {
        Map<String, String> out = new HashMap<>();
        if (body.length() == 0) return out;
        JsonNode root = JSON.readTree(body.getBytes());
        if (root == null || !root.isObject()) throw new com.fasterxml.jackson.core.JsonParseException(null, "not an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!allowed.contains(field.getKey())) throw AccountException.invalid(field.getKey(), "unknown field " + field.getKey());
            if (field.getValue().isNull()) continue;
            if (!field.getValue().isTextual()) throw AccountException.invalid(field.getKey(), field.getKey() + " must be a string");
            out.put(field.getKey(), field.getValue().textValue());
        }
        return out;
    }

    private String address(RoutingContext ctx) {
        return proxies.clientAddress(ctx.request());
    }

    private static ObjectNode user(Accounts.User u) {
        return JSON.createObjectNode().put("userId", u.id().value()).put("username", u.username()).put("name", u.name())
                .put("role", u.admin() ? "admin" : "member");
    }

    private static void ok(RoutingContext ctx, int status, ObjectNode body) {
        send(ctx, status, body);
    }

    /** Maps a refusal to its status (docs/protocol.md); anything else is the store failing, or a bug. */
    private void failed(RoutingContext ctx, Throwable e) {
        AccountException a = Accounts.refusal(e);
        if (a == null) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.sql.SQLException || cause instanceof IllegalStateException
                    || cause instanceof parley.room.ChatStore.OverloadedException) {
                log.warn("account request failed: {}", cause.toString());
                error(ctx, 503, "unavailable", "storage is unavailable; try again", null);
            } else {
                log.error("bug in an account request", cause);
                error(ctx, 500, "internal", "internal error", null);
            }
            return;
        }
        int status = switch (a.kind()) {
            case INVALID -> 400;
            case BAD_CREDENTIALS, SIGNED_OUT -> 401;
            case NOT_ADMIN, INVITATION_REQUIRED -> 403;
            case NO_SUCH_USER -> 404;
            case TAKEN -> 409;
            case TOO_MANY_ATTEMPTS -> 429;
            case BUSY -> 503;
        };
        if (a.kind() == AccountException.Kind.TOO_MANY_ATTEMPTS) {
            ctx.response().putHeader("Retry-After", String.valueOf(a.retryAfterSeconds()));
        } else if (a.kind() == AccountException.Kind.BUSY) {
            ctx.response().putHeader("Retry-After", "1");
        }
        error(ctx, status, a.kind().name().toLowerCase(Locale.ROOT), a.getMessage(), a.field());
    }

    private static void error(RoutingContext ctx, int status, String code, String message, String field) {
        ObjectNode body = JSON.createObjectNode().put("error", code).put("message", message);
        if (field != null) body.put("field", field);
        send(ctx, status, body);
    }

    /** Refuses before the body is read; a body still coming is drained so that the client hears why. */
    private void refuse(RoutingContext ctx, int status, String code, String message) {
        ctx.response().putHeader("Cache-Control", "no-store");
        Refuse.refuse(vertx, ctx, status, "application/json", JSON.createObjectNode().put("error", code).put("message", message).toString());
    }

    private static void send(RoutingContext ctx, int status, ObjectNode body) {
        if (ctx.response().ended()) return;
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.toString());
    }
}
