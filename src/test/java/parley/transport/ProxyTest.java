package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.app.Settings;
import parley.testing.RawWebSocket;
import parley.testing.TestAccounts;
import parley.testing.TestServer;

/** Behind a reverse proxy: what trusted-proxies lets Parley believe, and that no one else is believed. */
class ProxyTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private RawWebSocket upgrade(String cookie, String forwardedFor) {
        return new RawWebSocket(server.port(), 0, RawWebSocket.cookie(cookie) + "X-Forwarded-For: " + forwardedFor + "\r\n");
    }

    private void assertRefused429(String cookie, String forwardedFor) {
        assertThatThrownBy(() -> upgrade(cookie, forwardedFor).close())
                .isInstanceOfSatisfying(RawWebSocket.Refused.class, r -> assertThat(r.status()).isEqualTo(429));
    }

    @Test
    void behind_a_trusted_proxy_each_browser_address_has_its_own_connection_limit_and_a_forged_hop_changes_nothing() {
        server = TestServer.start("--trusted-proxies", "127.0.0.1", "--max-connections-per-address", "1");
        String cookie = server.cookie("Ada");
        try (RawWebSocket first = upgrade(cookie, "203.0.113.7"); RawWebSocket second = upgrade(cookie, "203.0.113.8")) {
            // The browser at .7 sends a made-up address first; the proxy appends the one it saw, which counts.
            assertRefused429(cookie, "198.51.100.1, 203.0.113.7");
            assertThat(first.responseHead()).startsWith("HTTP/1.1 101");
            assertThat(second.responseHead()).startsWith("HTTP/1.1 101");
        }
    }

    @Test
    void without_trusted_proxies_forwarded_headers_are_ignored() {
        server = TestServer.start("--max-connections-per-address", "1");
        String cookie = server.cookie("Ada");
        String from = "127.0.3.1"; // an address of its own: the test's HTTP client holds a connection from 127.0.0.1
        String headers = RawWebSocket.cookie(cookie) + "X-Forwarded-For: ";
        try (RawWebSocket first = new RawWebSocket(from, server.port(), 0, headers + "203.0.113.7\r\n")) {
            // Counted by its peer address as it is accepted, before any header is read: closed at once.
            assertThatThrownBy(() -> new RawWebSocket(from, server.port(), 0, headers + "203.0.113.8\r\n").close())
                    .isInstanceOf(java.io.UncheckedIOException.class);
        }
        HttpResponse<String> signedIn = signIn("Ada", TestAccounts.password("Ada"), "X-Forwarded-Proto", "https");
        assertThat(signedIn.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
    }

    @Test
    void sign_in_failures_count_per_browser_address_and_https_at_the_proxy_makes_the_cookie_secure() {
        server = TestServer.start("--trusted-proxies", "127.0.0.1", "--signin-failures-per-address", "2");
        server.cookie("Ada"); // signs Ada up
        for (int i = 0; i < 3; i++) signIn("Ada", "not her password", "X-Forwarded-For", "203.0.113.7");
        assertThat(signIn("Ada", TestAccounts.password("Ada"), "X-Forwarded-For", "203.0.113.7").statusCode())
                .as("the guessing address, even with the right password").isEqualTo(429);

        HttpResponse<String> elsewhere = signIn("Ada", TestAccounts.password("Ada"), "X-Forwarded-For", "203.0.113.8",
                "X-Forwarded-Proto", "https");
        assertThat(elsewhere.statusCode()).as("another address behind the same proxy").isEqualTo(200);
        assertThat(elsewhere.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");
        HttpResponse<String> plain = signIn("Ada", TestAccounts.password("Ada"), "X-Forwarded-For", "203.0.113.9");
        assertThat(plain.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContain("Secure");
    }

    @Test
    void a_forwarded_hop_is_read_as_an_address_with_or_without_a_port_and_anything_else_is_not_believed() {
        assertThat(Proxies.address(" 203.0.113.7:51234")).isEqualTo("203.0.113.7");
        assertThat(Proxies.address("[::1]:443")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(Proxies.address("::1")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(Proxies.address("proxy.example.com")).isNull();
        assertThat(Proxies.address("unknown")).isNull();
        server = TestServer.start("--trusted-proxies", "127.0.0.1", "--max-connections-per-address", "1");
        String cookie = server.cookie("Ada");
        try (RawWebSocket first = upgrade(cookie, "203.0.113.7:1111")) {
            assertRefused429(cookie, "203.0.113.7:2222"); // another port of the same browser's address
        }
    }

    @Test
    void behind_a_trusted_proxy_the_origin_must_have_the_scheme_the_proxy_was_reached_by() {
        server = TestServer.start("--trusted-proxies", "127.0.0.1");
        String cookie = server.cookie("Ada");
        String https = "Origin: https://127.0.0.1:" + server.port() + "\r\n", http = "Origin: http://127.0.0.1:" + server.port() + "\r\n";
        try (RawWebSocket viaTls = new RawWebSocket(server.port(), 0, RawWebSocket.cookie(cookie) + https + "X-Forwarded-Proto: https\r\n")) {
            assertThat(viaTls.responseHead()).startsWith("HTTP/1.1 101");
        }
        assertThatThrownBy(() -> new RawWebSocket(server.port(), 0, RawWebSocket.cookie(cookie) + http + "X-Forwarded-Proto: https\r\n").close())
                .as("a plain-HTTP page, the proxy reached over HTTPS")
                .isInstanceOfSatisfying(RawWebSocket.Refused.class, r -> assertThat(r.status()).isEqualTo(403));
        assertThatThrownBy(() -> new RawWebSocket(server.port(), 0, RawWebSocket.cookie(cookie) + https + "X-Forwarded-Proto: http\r\n").close())
                .as("an HTTPS page, the proxy reached over plain HTTP")
                .isInstanceOfSatisfying(RawWebSocket.Refused.class, r -> assertThat(r.status()).isEqualTo(403));
    }

    @Test
    void trusted_proxies_are_ip_addresses() {
        assertThat(Settings.parse(List.of("--trusted-proxies", "127.0.0.1, ::1"), Map.of()).trustedProxies())
                .containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThatThrownBy(() -> Settings.parse(List.of("--trusted-proxies", "proxy.example.com"), Map.of()))
                .hasMessageContaining("trusted-proxies: proxy.example.com is not an IP address");
    }

    private HttpResponse<String> signIn(String name, String password, String... headers) {
        String json = "{\"username\":\"" + TestAccounts.username(name) + "\",\"password\":\"" + password + "\"}";
        return TestAccounts.post(server.port(), "/api/signin", json, null, headers);
    }
}
