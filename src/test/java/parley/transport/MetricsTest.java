package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.TestAccounts;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** GET /metrics against the real server: it is protected, and its counters say what happened. */
class MetricsTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private HttpResponse<String> scrape(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "metrics"));
        if (authorization != null) b.header("Authorization", authorization);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        HttpResponse<String> r = scrape("Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    /** The value of the sample {@code name} whose labels hold {@code labels} (e.g. {@code reason="not_joined"}); NaN when absent. */
    private static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            if (labels.isEmpty() || l.contains(labels)) return Double.parseDouble(m.group(2));
        }
        return Double.NaN;
    }

    /** A socket of {@code name}'s account joined to the server's one room, #general. */
    private WsClient inGeneral(String name) {
        WsClient c = server.hello(name);
        clients.add(c);
        c.send("list_rooms");
        String room = c.expect("rooms").at("/rooms/0/id").asText();
        c.send("join", "room", room);
        c.expect("joined");
        return c;
    }

    private static String roomOf(WsClient c) {
        return c.received("joined").getLast().at("/room/id").asText();
    }

    @Test
    void a_scraper_without_the_token_or_with_another_is_refused() throws Exception {
        server = TestServer.start("--metrics-token", TOKEN);
        HttpResponse<String> none = scrape(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
        assertThat(none.body()).doesNotContain("parley_");
        assertThat(scrape("Bearer " + TOKEN.replace('0', '1')).statusCode()).isEqualTo(401);
        assertThat(scrape("Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(scrape(TOKEN).statusCode()).as("the token without its scheme").isEqualTo(401);
        assertThat(scrape("Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void without_a_metrics_token_the_endpoint_is_off() throws Exception {
        server = TestServer.start();
        assertThat(scrape(null).statusCode()).isEqualTo(404);
        assertThat(scrape("Bearer " + TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void after_traffic_the_counters_match_what_was_sent() throws Exception {
        server = TestServer.start("--metrics-token", TOKEN, "--turn-urls", "turn:127.0.0.1:3478", "--turn-secret", "s3cret");
        WsClient ada = inGeneral("Ada");
        String room = roomOf(ada);
        WsClient grace = inGeneral("Grace");
        ada.expect(m -> m.path("type").asText().equals("presence"), "Grace's arrival");

        String before = metrics();
        int n = 7;
        for (int i = 0; i < n; i++) ada.send("send", "room", room, "clientId", "m" + i, "text", "hello " + i);
        String last = "m" + (n - 1);
        ada.expect(m -> m.path("type").asText().equals("message") && m.path("clientId").asText().equals(last), "Ada's last message");
        grace.expect(m -> m.path("type").asText().equals("message") && m.path("clientId").asText().equals(last), "Ada's last message");
        ada.send("send", "room", "r_nowhere", "clientId", "x1", "text", "lost");
        ada.expectError("no_such_room");
        grace.send("send", "room", room, "clientId", "m0", "text", "a duplicate of no one's: Grace's own first");
        grace.expect("ack");
        grace.send("send", "room", room, "clientId", "m0", "text", "a retry");
        assertThat(grace.expect("ack").path("duplicate").asBoolean()).isTrue();
        ada.expect("message");
        ada.send("ice_servers", "ref", "i1");
        ada.expect("ice_servers");
        grace.send("ice_servers", "ref", "i2");
        grace.expect("ice_servers");
        HttpResponse<String> refused = TestAccounts.post(server.port(), "/api/signin",
                "{\"username\":\"Ada\",\"password\":\"not her password\"}", null);
        assertThat(refused.statusCode()).isEqualTo(401);
        String after = metrics();

        assertThat(value(after, "parley_messages_total", "") - value(before, "parley_messages_total", ""))
                .as("stored messages: Ada's %d and Grace's one, not her retry", n).isEqualTo(n + 1);
        assertThat(value(after, "parley_deliveries_total", "") - value(before, "parley_deliveries_total", ""))
                .as("each message to both").isEqualTo(2 * (n + 1));
        assertThat(value(after, "parley_refusals_total", "reason=\"no_such_room\"")
                - value(before, "parley_refusals_total", "reason=\"no_such_room\"")).isEqualTo(1);
        assertThat(value(after, "parley_refusals_total", "reason=\"not_joined\"")).isZero();
        assertThat(value(after, "parley_signin_failures_total", "reason=\"bad_credentials\"")
                - value(before, "parley_signin_failures_total", "reason=\"bad_credentials\"")).isEqualTo(1);
        assertThat(value(after, "parley_turn_credentials_total", "") - value(before, "parley_turn_credentials_total", "")).isEqualTo(2);
        assertThat(value(after, "parley_connections", "kind=\"websocket\"")).isEqualTo(2);
        assertThat(value(after, "parley_connections", "kind=\"tcp\"")).isGreaterThanOrEqualTo(3); // two sockets, this scrape
        assertThat(value(after, "parley_room_members", "")).isEqualTo(2);
        assertThat(value(after, "parley_rooms", "")).isEqualTo(1);
        assertThat(value(after, "parley_store_commit_seconds_count", "") - value(before, "parley_store_commit_seconds_count", ""))
                .isBetween(1.0, n + 2.0);
        assertThat(value(after, "parley_store_batch_writes_sum", "") - value(before, "parley_store_batch_writes_sum", ""))
                .as("the batches held every stored write: the messages and the failed sign-in's").isGreaterThanOrEqualTo(n + 1);
        assertThat(value(after, "parley_store_queue_writes", "")).isZero();
        assertThat(value(after, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
        assertThat(value(after, "process_uptime_seconds", "")).isPositive();
        assertThat(value(after, "vertx_http_server_active_ws_connections", "")).isEqualTo(2);
    }

    @Test
    void file_bytes_are_counted_in_when_kept_and_out_when_sent() throws Exception {
        server = TestServer.start("--metrics-token", TOKEN);
        WsClient ada = inGeneral("Ada");
        String room = roomOf(ada);
        byte[] bytes = new byte[100_000];
        new java.util.Random(3).nextBytes(bytes);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        ada.send("send", "room", room, "clientId", "f1", "file", java.util.Map.of("name", "a.bin", "size", bytes.length,
                "type", "application/octet-stream", "sha256", sha));
        String id = ada.expect("ack").at("/file/id").asText();
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "files/" + id))
                .header("Cookie", ada.cookie()).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(value(metrics(), "parley_file_bytes_total", "direction=\"in\"")).isEqualTo(bytes.length);
        ada.send("file_link", "room", room, "file", id);
        String url = ada.expect("file_link").get("url").asText();
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> got = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + url.substring(1))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(got.body()).hasSize(bytes.length);
        }
        parley.testing.Await.until(() -> {
            try {
                return value(metrics(), "parley_file_bytes_total", "direction=\"out\"") == 2.0 * bytes.length;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
