package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pages' origins may use Parley, given the scheme, host and port the browser reached it by. */
class OriginsTest {
    private final Origins origins = new Origins(List.of("https://friend.example", "http://lab.example:8080"), null);

    @Test
    void the_servers_own_origin_is_its_scheme_host_and_port() {
        assertThat(origins.allows("http://chat.example.com:8080", "http", "chat.example.com", 8080)).isTrue();
        assertThat(origins.allows("https://chat.example.com", "https", "chat.example.com", -1)).isTrue();
        assertThat(origins.allows("https://chat.example.com:443", "https", "chat.example.com", -1)).isTrue();
        assertThat(origins.allows("http://chat.example.com", "http", "chat.example.com", 80)).isTrue();
        assertThat(origins.allows("http://chat.example.com:8081", "http", "chat.example.com", 8080)).isFalse();
        assertThat(origins.allows("http://evil.example:8080", "http", "chat.example.com", 8080)).isFalse();
    }

    @Test
    void an_https_page_is_refused_by_a_plain_http_server_of_the_same_host_and_port() {
        assertThat(origins.allows("https://chat.example.com:8080", "http", "chat.example.com", 8080)).isFalse();
        assertThat(origins.allows("https://chat.example.com", "http", "chat.example.com", -1)).isFalse();
    }

    @Test
    void a_plain_http_page_is_refused_by_an_https_server_of_the_same_host_and_port() {
        assertThat(origins.allows("http://chat.example.com:8443", "https", "chat.example.com", 8443)).isFalse();
        assertThat(origins.allows("http://chat.example.com", "https", "chat.example.com", -1)).isFalse();
    }

    @Test
    void allowed_origins_are_allowed_whatever_the_server_is_reached_by() {
        assertThat(origins.allows("https://friend.example", "http", "chat.example.com", 8080)).isTrue();
        assertThat(origins.allows("HTTP://LAB.example:8080", "https", "chat.example.com", -1)).isTrue();
        assertThat(origins.allows("http://friend.example", "https", "chat.example.com", -1)).isFalse();
    }

    @Test
    void no_origin_is_not_a_page_and_null_is_refused() {
        assertThat(origins.allows(null, "https", "chat.example.com", -1)).isTrue();
        assertThat(origins.allows("null", "http", "chat.example.com", 8080)).isFalse();
    }
}
