package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import parley.testing.TestAccounts;

/** What a person does in Parley's page, shared by the browser tests and the benchmarks. */
public final class Pages {
    private Pages() {}

    /** Per remote session id, the video frames decoded from it so far. */
    public static final String FRAMES_DECODED = """
            async () => {
              const out = {};
              for (const [sessionId, pc] of window.parleyCall.peers()) {
                const stats = await pc.getStats();
                let frames = 0;
                stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
                out[sessionId] = frames;
              }
              return out;
            }""";

    /**
     * Opens Parley at {@code url} signed in as {@code name}'s account (signed up through the API on first
     * use, its session cookie handed to the browser: {@link TestAccounts}), and opens the room called
     * {@code room}.
     */
    public static Page enter(Page page, String url, String name, String room) {
        String cookie = TestAccounts.cookie(URI.create(url).getPort(), name);
        page.context().addCookies(List.of(new Cookie("parley_session", cookie.substring(cookie.indexOf('=') + 1)).setUrl(url)
                .setHttpOnly(true).setSameSite(SameSiteAttribute.LAX)));
        page.navigate(url);
        page.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(room)).click();
        page.waitForFunction("() => document.body.dataset.connection === 'open'");
        assertThat(page.locator("#composer")).isVisible();
        return page;
    }

    public static Page enter(Page page, String url, String name) {
        return enter(page, url, name, "general");
    }

    /** Enters as {@link #enter(Page, String, String)} does, and joins the room's call. */
    public static Page inCall(Page page, String url, String name) {
        enter(page, url, name);
        page.locator("#call-join").click();
        assertThat(page.locator("#call-tiles .tile.self")).isVisible();
        return page;
    }

    /** The session of this page's own tile in its call. */
    public static String callSession(Page page) {
        return page.locator("#call-tiles .tile.self").getAttribute("data-session-id");
    }

    /** Fills the sign-in form and submits it. */
    public static void signIn(Page page, String username, String password) {
        page.locator("#signin-username").fill(username);
        page.locator("#signin-password").fill(password);
        page.locator("#signin-submit").click();
    }

    /**
     * Polls {@code predicate}, a JavaScript function that may be async (getStats is), until it returns
     * true. Playwright's waitForFunction cannot do this: it takes the promise an async function returns
     * for a true value and stops waiting at once.
     */
    public static void waitUntil(Page page, String predicate, Object arg, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(page.evaluate(predicate, arg))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still false after " + timeout + ": " + predicate + " with " + arg);
            }
            page.waitForTimeout(POLL_MS); // the interval between two polls of the condition
        }
    }

    private static final int POLL_MS = 100;
}
