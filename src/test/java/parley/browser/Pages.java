package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import java.time.Duration;

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

    /** Opens Parley at {@code url}, says the name, and opens the room called {@code room}. */
    public static Page enter(Page page, String url, String name, String room) {
        page.navigate(url);
        page.locator("#name-input").fill(name);
        page.locator("#name-submit").click();
        page.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(room)).click();
        page.waitForFunction("() => document.body.dataset.connection === 'open'");
        assertThat(page.locator("#composer")).isVisible();
        return page;
    }

    public static Page enter(Page page, String url, String name) {
        return enter(page, url, name, "general");
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
