package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import parley.testing.Browser;
import parley.testing.TestServer;

/**
 * A browser that crashes in a call (its process killed with SIGKILL: no unload, no WebSocket close frame, its
 * sockets closed by the operating system) is seen gone by the others within seconds, and is back in the call
 * at once when the person starts it again, although {@code call-grace} is long.
 */
class CallCrashBrowserTest extends BrowserTestBase {
    /** Far longer than the test's bounds, so that only a crash seen as a crash can pass. */
    private static final int CALL_GRACE_SECONDS = 60;
    /** How soon the others must see a crashed browser gone. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

    @Override
    TestServer newServer() {
        return TestServer.start("--call-grace", String.valueOf(CALL_GRACE_SECONDS));
    }

    private Page inCall(Page page, String name) {
        return Pages.inCall(page, server.url(), name);
    }

    private static String sessionOf(Page page) {
        return Pages.callSession(page);
    }

    private static void awaitFramesFrom(Page page, String session, Duration timeout) {
        Pages.waitUntil(page, "async s => ((await (" + Pages.FRAMES_DECODED + ")())[s] || 0) > 0", session, timeout);
    }

    /**
     * Chromium's main processes among this JVM's descendants: those Playwright talks to over a pipe (not their
     * renderers, GPU and network processes, nor the crash reporter, which may or may not be running).
     */
    private static Set<ProcessHandle> chromiums() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("chromium") && c.contains("--remote-debugging-pipe")).orElse(false))
                .collect(Collectors.toSet());
    }

    @Test
    void a_browser_that_crashes_leaves_the_others_call_within_seconds_and_comes_back_at_once() {
        Page ada = inCall(browser.newUser(), "Ada");
        Set<ProcessHandle> before = chromiums();
        Browser graces = new Browser();
        try {
            Set<ProcessHandle> started = chromiums();
            started.removeAll(before);
            assertThat(started).as("Grace's own Chromium").hasSize(1);
            Page grace = inCall(graces.newUser(), "Grace");
            String adaSession = sessionOf(ada);
            String graceSession = sessionOf(grace);
            awaitFramesFrom(ada, graceSession, Duration.ofSeconds(30));

            // The whole browser at once, its network process too: nothing of it is left to close a socket politely.
            ProcessHandle main = started.iterator().next();
            main.descendants().forEach(ProcessHandle::destroyForcibly);
            main.destroyForcibly();
            long crashed = System.nanoTime();
            ada.waitForFunction("s => !document.querySelector(`#call-tiles .tile[data-session-id='${s}']`)", graceSession,
                    new Page.WaitForFunctionOptions().setTimeout(GONE_WITHIN.toMillis()));
            System.out.printf("browser killed -> gone from the others' call: %d ms%n", (System.nanoTime() - crashed) / 1_000_000);

            // Grace starts her browser again and joins: Ada's video reaches her, and hers Ada, as on any join.
            Page again = browser.newUser();
            long back = System.nanoTime();
            inCall(again, "Grace");
            awaitFramesFrom(again, adaSession, Duration.ofSeconds(3));
            awaitFramesFrom(ada, sessionOf(again), Duration.ofSeconds(3));
            System.out.printf("join after the crash -> video both ways: %d ms%n", (System.nanoTime() - back) / 1_000_000);
            assertThat(ada.locator("#call-tiles .tile")).hasCount(2);
        } finally {
            try {
                graces.close();
            } catch (RuntimeException alreadyDead) {
                // its browser was killed above
            }
        }
    }
}
