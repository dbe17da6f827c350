package parley.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void defaults_give_a_server_on_8080_with_a_sqlite_file_in_data() {
        Settings s = Settings.parse(List.of(), Map.of());
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.bind()).isEqualTo("0.0.0.0");
        assertThat(s.sqliteFile()).isEqualTo(Path.of("./data/parley.db"));
        assertThat(s.maxFrameBytes()).isEqualTo(65536);
        assertThat(s.maxTextChars()).isEqualTo(4000);
        assertThat(s.catchupMax()).isEqualTo(1000);
    }

    @Test
    void flags_win_over_environment_variables_which_win_over_defaults() {
        Settings s = Settings.parse(List.of("--port", "9001", "--max-text-chars=100"),
                Map.of("PARLEY_PORT", "9000", "PARLEY_DATA_DIR", "/srv/parley", "PARLEY_CATCHUP_MAX", "7"));
        assertThat(s.port()).isEqualTo(9001);
        assertThat(s.maxTextChars()).isEqualTo(100);
        assertThat(s.dataDir()).isEqualTo(Path.of("/srv/parley"));
        assertThat(s.catchupMax()).isEqualTo(7);
    }

    @Test
    void bad_settings_are_refused_with_a_message_that_names_them() {
        assertThatThrownBy(() -> Settings.parse(List.of("--prot", "1"), Map.of())).hasMessageContaining("--prot");
        assertThatThrownBy(() -> Settings.parse(List.of("--port"), Map.of())).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Settings.parse(List.of(), Map.of("PARLEY_PORT", "eighty"))).hasMessageContaining("port must be a whole number");
        assertThatThrownBy(() -> Settings.parse(List.of("--port", "70000"), Map.of())).hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> Settings.parse(List.of("--db-url", "jdbc:h2:mem:x"), Map.of())).hasMessageContaining("only jdbc:sqlite:");
        assertThatThrownBy(() -> Settings.parse(List.of("serve"), Map.of())).hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> Settings.parse(List.of("--ice-relay-only", "yes"), Map.of())).hasMessageContaining("true or false");
        assertThatThrownBy(() -> Settings.parse(List.of("--signup", "anyone"), Map.of())).hasMessageContaining("signup must be invite or open");
        assertThatThrownBy(() -> Settings.parse(List.of("--ice-relay-only", "true"), Map.of())).hasMessageContaining("needs turn-urls");
        assertThatThrownBy(() -> Settings.parse(List.of("--allowed-origins", "https://a.example/chat"), Map.of()))
                .hasMessageContaining("without a path");
        assertThatThrownBy(() -> Settings.parse(List.of("--allowed-origins", "a.example"), Map.of())).hasMessageContaining("must start with");
        assertThatThrownBy(() -> Settings.parse(List.of("--tls-cert", "pom.xml"), Map.of())).hasMessageContaining("tls-cert needs tls-key");
        assertThatThrownBy(() -> Settings.parse(List.of("--tls-cert", "/nonexistent.pem", "--tls-key", "pom.xml"), Map.of()))
                .hasMessageContaining("cannot read /nonexistent.pem");
        assertThatThrownBy(() -> Settings.parse(List.of("--messages-per-second", "0"), Map.of())).hasMessageContaining("between 1 and");
    }

    @Test
    void metrics_and_call_reports_have_their_documented_defaults_and_refuse_a_short_token() {
        Settings s = Settings.parse(List.of(), Map.of());
        assertThat(s.metricsToken()).as("metrics off").isNull();
        assertThat(s.callReportMaxBytes()).isEqualTo(16_384);
        assertThat(s.callReportsPerMinute()).isEqualTo(6);
        assertThat(s.callRetentionDays()).isEqualTo(30);
        assertThat(Settings.parse(List.of(), Map.of("PARLEY_METRICS_TOKEN", "0123456789abcdef")).metricsToken()).isEqualTo("0123456789abcdef");
        assertThatThrownBy(() -> Settings.parse(List.of("--metrics-token", "short"), Map.of())).hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> Settings.parse(List.of("--metrics-token", "0123456789abcdef\"x"), Map.of()))
                .hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> Settings.parse(List.of("--call-report-max-bytes", "100"), Map.of())).hasMessageContaining("between 256 and");
        assertThatThrownBy(() -> Settings.parse(List.of("--call-reports-per-minute", "0"), Map.of())).hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> Settings.parse(List.of("--call-retention-days", "-1"), Map.of())).hasMessageContaining("between 0 and");
    }

    @Test
    void the_limits_have_their_documented_defaults() {
        Settings s = Settings.parse(List.of(), Map.of());
        assertThat(s.messagesPerSecond()).isEqualTo(50);
        assertThat(s.messageBurst()).isEqualTo(200);
        assertThat(s.maxConnectionsPerAddress()).isEqualTo(200);
        assertThat(s.requestBodyTimeoutSeconds()).isEqualTo(5);
        assertThat(s.maxConnections()).as("auto").isEqualTo(Settings.connectionsFor(Settings.openFileLimit()));
        assertThat(s.handshakeTimeoutSeconds()).isEqualTo(10);
        assertThat(s.helloTimeoutSeconds()).isEqualTo(10);
        assertThat(s.idleTimeoutSeconds()).isEqualTo(120);
        assertThat(s.allowedOrigins()).isEmpty();
        assertThat(s.tls()).isFalse();
        assertThat(s.signup()).as("sign-up by invitation unless the admin opens it").isEqualTo("invite");
        assertThat(s.sessionDays()).isEqualTo(30);
        assertThat(s.signinFailuresPerAccount()).isEqualTo(10);
        assertThat(s.signinFailuresPerAddress()).isEqualTo(50);
        assertThat(s.searchPageMax()).isEqualTo(50);
        assertThat(s.searchMaxChars()).isEqualTo(200);
        assertThat(s.searchesPerSecond()).isEqualTo(5);
        assertThatThrownBy(() -> Settings.parse(List.of("--search-max-chars", "2"), Map.of()))
                .as("a query needs room for a word the index can look up").hasMessageContaining("search-max-chars must be between 3");
        assertThat(Settings.parse(List.of("--allowed-origins", "HTTPS://Chat.Example.com, http://b.example:8080"), Map.of()).allowedOrigins())
                .containsExactly("https://chat.example.com", "http://b.example:8080");
    }

    @Test
    void max_connections_keeps_a_quarter_of_the_open_file_limit_and_at_least_256_descriptors_for_the_rest() {
        assertThat(Settings.connectionsFor(20_000)).isEqualTo(15_000);
        assertThat(Settings.connectionsFor(1_024)).isEqualTo(768);
        assertThat(Settings.connectionsFor(512)).isEqualTo(256);
        assertThat(Settings.connectionsFor(200)).isEqualTo(16);
        assertThat(Settings.parse(List.of("--max-connections", "5000"), Map.of()).maxConnections()).isEqualTo(5000);
        assertThat(Settings.parse(List.of(), Map.of("PARLEY_MAX_CONNECTIONS", "auto")).maxConnections())
                .isEqualTo(Settings.connectionsFor(Settings.openFileLimit()));
        assertThatThrownBy(() -> Settings.parse(List.of("--max-connections", "0"), Map.of()))
                .hasMessageContaining("max-connections must be between 1");
        assertThatThrownBy(() -> Settings.parse(List.of("--request-body-timeout", "0"), Map.of()))
                .hasMessageContaining("request-body-timeout must be between 1");
    }

    @Test
    void the_readme_table_lists_every_setting_with_its_flag_variable_and_default() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Settings.Definition d : Settings.DEFINITIONS) {
            String row = "| `" + d.flag() + "` | `" + d.env() + "` | ";
            assertThat(readme).as("README row for " + d.name()).contains(row);
            if (!d.name().equals("event-loops")) {
                String shownDefault = d.defaultValue().isEmpty() ? "(none)" : "`" + d.defaultValue() + "`";
                assertThat(readme).contains(row + shownDefault + " |");
            }
        }
        assertThat(Settings.help()).contains(Settings.DEFINITIONS.stream().map(Settings.Definition::flag).toList());
    }
}
