package parley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import parley.testing.Browser;
import parley.testing.TestServer;

/**
 * What every browser test shares: one Chromium per test class; per test a fresh server and fresh pages,
 * closed in that order (pages first, so that none goes on reconnecting to a stopped server); and a test
 * fails when a page logged an error to its console.
 */
@Tag("browser")
abstract class BrowserTestBase {
    static Browser browser;
    /** This test's server, or null where {@link #newServer()} says the test starts its own. */
    TestServer server;

    @BeforeAll
    static void launch() {
        browser = new Browser();
    }

    @AfterAll
    static void quit() {
        browser.close();
    }

    /** The server each test starts with; null: none (the test starts what it needs). */
    TestServer newServer() {
        return TestServer.start();
    }

    @BeforeEach
    void startServer() {
        server = newServer();
    }

    @AfterEach
    void closePagesThenServer() {
        List<String> errors = browser.closeUsers();
        if (server != null) server.close();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }
}
