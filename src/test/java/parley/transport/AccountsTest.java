package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.RawWebSocket;
import parley.testing.TestAccounts;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Accounts over the real HTTP API, and what their sessions do to the WebSockets. */
class AccountsTest {
    private static final String PASSWORD = "correct horse battery";
    /** How long a socket of an ended session may stay open. */
    private static final int CLOSED_WITHIN_SECONDS = 5;

    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private static String json(String... pairs) {
        var node = WsClient.JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) node.put(pairs[i], pairs[i + 1]);
        return node.toString();
    }

    private HttpResponse<String> post(String path, String cookie, String... pairs) {
        return TestAccounts.post(server.port(), path, json(pairs), cookie);
    }

    private static JsonNode body(HttpResponse<String> r) {
        try {
            return WsClient.JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** Signs up {@code username} with {@link #PASSWORD} and returns its session cookie. */
    private String signUp(String username) {
        HttpResponse<String> r = post("/api/signup", null, "username", username, "password", PASSWORD);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestAccounts.sessionCookie(r);
    }

    private String signIn(String username, String password) {
        HttpResponse<String> r = post("/api/signin", null, "username", username, "password", password);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestAccounts.sessionCookie(r);
    }

    private WsClient socket(String cookie) {
        WsClient c = WsClient.withCookie(server.port(), cookie, null);
        clients.add(c);
        return c;
    }

    private void assertUpgradeRefused(String cookie, int status) {
        try (RawWebSocket ws = new RawWebSocket(server.port(), cookie)) {
            throw new AssertionError("the upgrade was accepted: " + ws.responseHead());
        } catch (RawWebSocket.Refused r) {
            assertThat(r.status()).isEqualTo(status);
        }
    }

    private static void assertClosedBySessionEnd(WsClient c) {
        long t0 = System.nanoTime();
        assertThat(c.closeCode()).as("close code").isEqualTo(4401);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds to close").isLessThan(CLOSED_WITHIN_SECONDS);
    }

    @Test
    void a_socket_open_when_its_session_expires_is_closed_and_its_cookie_opens_nothing_more() throws Exception {
        server = TestServer.start();
        String cookie = signUp("ada");
        long soon = System.currentTimeMillis() + 1_500;
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + server.dataDir().resolve("parley.db"));
             var update = db.prepareStatement("UPDATE sessions SET expires_at = ?")) {
            update.setLong(1, soon); // as if signed in session-days ago, less a second and a half
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        WsClient tab = socket(cookie);
        tab.sync();
        assertThat(tab.closeCode()).as("closed once the session expired").isEqualTo(4401);
        assertThat(System.currentTimeMillis()).as("not before it expired").isGreaterThanOrEqualTo(soon);
        assertUpgradeRefused(cookie, 401);
    }

    @Test
    void a_person_signs_up_signs_in_elsewhere_and_signs_out_with_a_session_cookie_that_scripts_cannot_read() {
        server = TestServer.start();
        HttpResponse<String> up = post("/api/signup", null, "username", "Ada", "password", PASSWORD, "name", "Ada Lovelace");
        assertThat(up.statusCode()).isEqualTo(201);
        assertThat(body(up).get("username").asText()).isEqualTo("Ada");
        assertThat(body(up).get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(body(up).get("userId").asText()).startsWith("u_");
        String setCookie = up.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).matches("parley_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax")
                .as("no Secure over plain HTTP").doesNotContain("Secure");
        assertThat(up.headers().firstValue("Cache-Control")).hasValue("no-store");
        String first = TestAccounts.sessionCookie(up);

        HttpResponse<String> me = TestAccounts.get(server.port(), "/api/me", first);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(body(me).get("userId").asText()).isEqualTo(body(up).get("userId").asText());

        String second = signIn("ada", PASSWORD); // usernames ignore case
        assertThat(second).isNotEqualTo(first);
        WsClient tab = socket(second);
        assertThat(tab.userId()).isEqualTo(body(up).get("userId").asText());
        assertThat(tab.received("welcome").getFirst().get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(tab.received("welcome").getFirst().has("token")).isFalse();

        HttpResponse<String> out = post("/api/signout", first);
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("parley_session=; Max-Age=0;");
        assertThat(TestAccounts.get(server.port(), "/api/me", first).statusCode()).isEqualTo(401);
        assertThat(body(TestAccounts.get(server.port(), "/api/session", first)).get("user").isNull()).isTrue();
        assertUpgradeRefused(first, 401);
        assertThat(TestAccounts.get(server.port(), "/api/me", second).statusCode()).as("the other session lives on").isEqualTo(200);
        tab.sync();
        assertThat(post("/api/signout", null).statusCode()).as("signed out already is fine").isEqualTo(200);
    }

    @Test
    void a_wrong_password_and_an_unknown_username_get_the_same_answer_and_no_session() {
        server = TestServer.start();
        signUp("ada");
        HttpResponse<String> wrong = post("/api/signin", null, "username", "ada", "password", "not her password");
        HttpResponse<String> unknown = post("/api/signin", null, "username", "nobody", "password", PASSWORD);
        for (HttpResponse<String> r : List.of(wrong, unknown)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(body(r).get("error").asText()).isEqualTo("bad_credentials");
            assertThat(body(r).get("message").asText()).isEqualTo("wrong username or password");
            assertThat(TestAccounts.sessionCookie(r)).isNull();
        }
    }

    /** Runs {@code count} requests at the same moment, each on its own thread; their answers in order. */
    private static List<HttpResponse<String>> atOnce(int count, IntFunction<HttpResponse<String>> request) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                answers.add(threads.submit(() -> {
                    start.await();
                    return request.apply(n);
                }));
            }
            start.countDown();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> a : answers) out.add(a.get());
            return out;
        }
    }

    /**
     * Exactly {@code limit} answers are a checked wrong password (401: a 401 comes only after the hash
     * was checked), all the others 429 with Retry-After. Exactly: at 1 failure per 180 s or slower, no
     * attempt is earned back while the test runs.
     */
    private static void assertChecked(List<HttpResponse<String>> answers, int limit) {
        int checked = 0;
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() == 401) {
                assertThat(body(r).get("error").asText()).isEqualTo("bad_credentials");
                checked++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(body(r).get("error").asText()).isEqualTo("too_many_attempts");
                assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 15 * 60L);
            }
        }
        assertThat(checked).as("passwords checked of " + answers.size() + " sent at once").isEqualTo(limit);
    }

    @Test
    void wrong_passwords_sent_all_at_once_to_one_account_get_only_as_many_checks_as_its_limit() throws Exception {
        server = TestServer.start("--signin-failures-per-account", "3");
        signUp("ada");
        assertChecked(atOnce(40, i -> post("/api/signin", null, "username", "ada", "password", "guess number " + i)), 3);
        assertThat(post("/api/signin", null, "username", "ada", "password", PASSWORD).statusCode())
                .as("the right password, while throttled").isEqualTo(429);
    }

    @Test
    void wrong_passwords_sent_all_at_once_from_one_address_to_several_accounts_get_only_as_many_checks_as_its_limit() throws Exception {
        server = TestServer.start("--signin-failures-per-account", "3", "--signin-failures-per-address", "5");
        for (String name : List.of("ada", "grace", "alan", "edsger")) signUp(name);
        assertChecked(atOnce(40, i -> post("/api/signin", null, "username", List.of("ada", "grace", "alan", "edsger").get(i % 4),
                "password", "guess number " + i)), 5);
    }

    @Test
    void a_wrong_current_password_sent_all_at_once_gets_only_as_many_checks_as_the_limit() throws Exception {
        server = TestServer.start("--signin-failures-per-account", "3");
        String cookie = signUp("ada");
        List<HttpResponse<String>> answers = atOnce(20, i -> post("/api/password", cookie, "current", "guess number " + i,
                "password", "a new passphrase"));
        assertThat(answers).filteredOn(r -> r.statusCode() == 400).as("checked").hasSize(3);
        assertThat(answers).filteredOn(r -> r.statusCode() == 429).as("refused unchecked").hasSize(17);
    }

    @Test
    void bad_fields_are_refused_with_400_naming_the_field_and_a_taken_username_with_409() {
        server = TestServer.start();
        signUp("ada");
        record Case(String[] body, String field) {}
        for (Case c : List.of(
                new Case(new String[] {"username", "a", "password", PASSWORD}, "username"),
                new Case(new String[] {"username", "-ada", "password", PASSWORD}, "username"),
                new Case(new String[] {"username", "ada lovelace", "password", PASSWORD}, "username"),
                new Case(new String[] {"username", "grace", "password", "short"}, "password"),
                new Case(new String[] {"username", "grace", "password", "p".repeat(257)}, "password"),
                new Case(new String[] {"username", "grace"}, "password"),
                new Case(new String[] {"username", "grace", "password", PASSWORD, "name", "bell\u0007"}, "name"),
                new Case(new String[] {"username", "grace", "password", PASSWORD, "role", "admin"}, "role"))) {
            HttpResponse<String> r = post("/api/signup", null, c.body());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(body(r).get("field").asText()).as(r.body()).isEqualTo(c.field());
        }
        HttpResponse<String> taken = post("/api/signup", null, "username", "ADA", "password", PASSWORD);
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(body(taken).get("error").asText()).isEqualTo("taken");
        assertThat(TestAccounts.post(server.port(), "/api/signup", "{\"username\":\"x\",\"username\":\"y\"}", null).statusCode())
                .as("a duplicate key").isEqualTo(400);
        assertThat(TestAccounts.post(server.port(), "/api/signin", "[1]", null).statusCode()).as("not an object").isEqualTo(400);
        assertThat(post("/api/signin", null, "username", "ada", "password", "p".repeat(300)).statusCode())
                .as("a sign-in password over the limit").isEqualTo(400);
    }

    @Test
    void a_display_name_that_could_pass_for_another_or_is_not_well_formed_is_refused_naming_the_field() {
        server = TestServer.start();
        record Case(String name, String field, String message) {}
        int n = 0;
        for (Case c : List.of(
                new Case("Ada\\u202e", "name", "a name must not contain bidirectional controls (U+202E)"),
                new Case("\\u2067Ada\\u2069", "name", "a name must not contain bidirectional controls (U+2067)"),
                new Case("\\u200b\\u200d \\ufeff", "name", "a name must have a visible character"),
                new Case("Ada\\ud800", "name", "a name must be well-formed Unicode"),
                new Case("Ada\\u0000", "name", "a name must not contain control characters (U+0000)"))) {
            String body = "{\"username\":\"mallory" + n++ + "\",\"password\":\"" + PASSWORD + "\",\"name\":\"" + c.name() + "\"}";
            HttpResponse<String> r = TestAccounts.post(server.port(), "/api/signup", body, null);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(body(r).get("error").asText()).isEqualTo("invalid");
            assertThat(body(r).get("field").asText()).isEqualTo(c.field());
            assertThat(body(r).get("message").asText()).startsWith(c.message());
        }
        HttpResponse<String> password = TestAccounts.post(server.port(), "/api/signup",
                "{\"username\":\"mallory\",\"password\":\"" + PASSWORD + "\\udc00\"}", null);
        assertThat(password.statusCode()).as("a new password with a lone surrogate").isEqualTo(400);
        assertThat(body(password).get("field").asText()).isEqualTo("password");
    }

    @Test
    void right_to_left_and_emoji_display_names_are_kept_as_written() {
        server = TestServer.start();
        String arabic = "\u0623\u062D\u0645\u062F \uD83D\uDC69\u200D\uD83D\uDCBB";
        String hebrew = "\u05E9\u05E8\u05D4";
        String persian = "\u0645\u06CC\u200C\u0646\u0627";
        for (String name : List.of(arabic, hebrew, persian)) {
            HttpResponse<String> up = post("/api/signup", null, "username", "u" + Math.abs(name.hashCode()), "password", PASSWORD, "name", name);
            assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
            assertThat(body(up).get("name").asText()).isEqualTo(name);
            assertThat(socket(TestAccounts.sessionCookie(up)).received("welcome").getFirst().get("name").asText()).isEqualTo(name);
        }
    }

    @Test
    void the_first_account_is_the_admin_and_only_an_admin_may_invite() {
        server = TestServer.start();
        assertThat(body(TestAccounts.get(server.port(), "/api/session", null)).get("firstAccount").asBoolean()).isTrue();
        String admin = signUp("root");
        String member = signUp("ada");
        assertThat(body(TestAccounts.get(server.port(), "/api/me", admin)).get("role").asText()).isEqualTo("admin");
        assertThat(body(TestAccounts.get(server.port(), "/api/me", member)).get("role").asText()).isEqualTo("member");
        assertThat(body(TestAccounts.get(server.port(), "/api/session", null)).get("firstAccount").asBoolean()).isFalse();

        HttpResponse<String> refused = post("/api/invitations", member);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(body(refused).get("error").asText()).isEqualTo("not_admin");
        assertThat(post("/api/users/disable", member, "username", "root").statusCode()).isEqualTo(403);
        assertThat(post("/api/invitations", null).statusCode()).as("signed out").isEqualTo(401);
        assertThat(post("/api/invitations", admin).statusCode()).isEqualTo(201);
        assertThat(post("/api/users/disable", admin, "username", "root").statusCode()).as("not oneself").isEqualTo(400);
        assertThat(post("/api/users/disable", admin, "username", "nobody").statusCode()).isEqualTo(404);
    }

    @Test
    void with_invite_only_sign_up_one_invitation_lets_one_person_in() {
        server = TestServer.start("--signup", "invite");
        JsonNode session = body(TestAccounts.get(server.port(), "/api/session", null));
        assertThat(session.get("signup").asText()).isEqualTo("invite");
        String admin = signUp("root"); // the first account needs no invitation

        HttpResponse<String> uninvited = post("/api/signup", null, "username", "ada", "password", PASSWORD);
        assertThat(uninvited.statusCode()).isEqualTo(403);
        assertThat(body(uninvited).get("error").asText()).isEqualTo("invitation_required");
        HttpResponse<String> invitation = post("/api/invitations", admin);
        assertThat(invitation.statusCode()).isEqualTo(201);
        String code = body(invitation).get("code").asText();
        assertThat(body(invitation).get("expires").asLong()).isGreaterThan(System.currentTimeMillis() + 6 * 24 * 3600_000L);
        assertThat(post("/api/signup", null, "username", "ada", "password", PASSWORD, "invitation", "not-a-code").statusCode())
                .isEqualTo(403);

        HttpResponse<String> invited = post("/api/signup", null, "username", "ada", "password", PASSWORD, "invitation", code);
        assertThat(invited.statusCode()).isEqualTo(201);
        assertThat(body(invited).get("role").asText()).isEqualTo("member");
        HttpResponse<String> again = post("/api/signup", null, "username", "grace", "password", PASSWORD, "invitation", code);
        assertThat(again.statusCode()).as("an invitation is used once").isEqualTo(403);
        assertThat(body(again).get("error").asText()).isEqualTo("invitation_required");
    }

    @Test
    void signing_out_closes_that_sessions_sockets_within_seconds_and_no_others() {
        server = TestServer.start();
        String laptop = signUp("ada");
        String phone = signIn("ada", PASSWORD);
        WsClient laptopTab1 = socket(laptop);
        WsClient laptopTab2 = socket(laptop);
        WsClient phoneTab = socket(phone);

        assertThat(post("/api/signout", laptop).statusCode()).isEqualTo(200);
        assertClosedBySessionEnd(laptopTab1);
        assertClosedBySessionEnd(laptopTab2);
        phoneTab.sync();
        assertThat(phoneTab.isClosed()).isFalse();
        assertUpgradeRefused(laptop, 401);
    }

    @Test
    void a_password_change_closes_the_other_sessions_sockets_and_keeps_this_one() {
        server = TestServer.start();
        String laptop = signUp("ada");
        String phone = signIn("ada", PASSWORD);
        WsClient laptopTab = socket(laptop);
        WsClient phoneTab = socket(phone);
        phoneTab.send("create_room", "name", "ops");
        String room = phoneTab.expect("room_added").at("/room/id").asText();
        laptopTab.send("join", "room", room);
        laptopTab.expect("joined");
        phoneTab.send("join", "room", room);
        phoneTab.expect("joined");

        HttpResponse<String> wrong = post("/api/password", laptop, "current", "not it", "password", "a new passphrase");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(body(wrong).get("field").asText()).isEqualTo("current");
        assertThat(post("/api/password", laptop, "current", PASSWORD, "password", "short").statusCode()).isEqualTo(400);

        assertThat(post("/api/password", laptop, "current", PASSWORD, "password", "a new passphrase").statusCode()).isEqualTo(200);
        assertClosedBySessionEnd(phoneTab);
        laptopTab.expect(m -> m.path("type").asText().equals("presence") && m.path("event").asText().equals("leave"),
                "the other session's socket left the room at once");
        laptopTab.sync();
        assertThat(laptopTab.isClosed()).isFalse();
        assertUpgradeRefused(phone, 401);
        assertThat(post("/api/signin", null, "username", "ada", "password", PASSWORD).statusCode()).isEqualTo(401);
        signIn("ada", "a new passphrase");
    }

    @Test
    void disabling_an_account_closes_its_sockets_and_refuses_its_sign_ins_until_it_is_enabled() {
        server = TestServer.start();
        String admin = signUp("root");
        String grace = signUp("grace");
        WsClient graceTab = socket(grace);

        HttpResponse<String> disabled = post("/api/users/disable", admin, "username", "Grace");
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        assertThat(body(disabled).get("disabled").asBoolean()).isTrue();
        assertClosedBySessionEnd(graceTab);
        assertUpgradeRefused(grace, 401);
        HttpResponse<String> refused = post("/api/signin", null, "username", "grace", "password", PASSWORD);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(TestAccounts.sessionCookie(refused)).isNull();

        assertThat(post("/api/users/enable", admin, "username", "grace").statusCode()).isEqualTo(200);
        socket(signIn("grace", PASSWORD)).sync();
    }

    @Test
    void a_disabled_account_answers_its_right_password_exactly_as_a_wrong_one_and_counts_it_as_a_failure() {
        server = TestServer.start("--signin-failures-per-account", "3");
        String admin = signUp("root");
        signUp("grace");
        assertThat(post("/api/users/disable", admin, "username", "grace").statusCode()).isEqualTo(200);

        HttpResponse<String> right = post("/api/signin", null, "username", "grace", "password", PASSWORD);
        HttpResponse<String> wrong = post("/api/signin", null, "username", "grace", "password", "not her password");
        assertThat(right.statusCode()).isEqualTo(wrong.statusCode()).isEqualTo(401);
        assertThat(right.body()).isEqualTo(wrong.body());
        assertThat(right.headers().map()).isEqualTo(wrong.headers().map());
        assertThat(body(right).get("error").asText()).isEqualTo("bad_credentials");

        assertThat(post("/api/signin", null, "username", "grace", "password", PASSWORD).statusCode())
                .as("the third attempt, of three allowed").isEqualTo(401);
        HttpResponse<String> throttled = post("/api/signin", null, "username", "grace", "password", PASSWORD);
        assertThat(throttled.statusCode()).as("the right password counted as a failure").isEqualTo(429);
    }

    @Test
    void the_api_refuses_other_sites_pages_and_anything_but_json() {
        server = TestServer.start();
        String cookie = signUp("ada");
        HttpResponse<String> foreign = TestAccounts.post(server.port(), "/api/signout", "{}", cookie, "Origin", "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(body(foreign).get("error").asText()).isEqualTo("forbidden_origin");
        assertThat(TestAccounts.get(server.port(), "/api/me", cookie).statusCode()).as("still signed in").isEqualTo(200);
        HttpResponse<String> same = TestAccounts.post(server.port(), "/api/signout", "{}", cookie, "Origin", "http://127.0.0.1:" + server.port());
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(TestAccounts.get(server.port(), "/api/nothing-here", null).statusCode()).isEqualTo(404);
    }
}
