package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Script in every field a person controls (their name, a room's name and topic, message text, a link, a
 * file's name, an edited message's new text, a reply's quote of it, a reactor's name, a search result) reaches the others as plain text and runs nothing. Each payload would set
 * {@code window.pwned} if it ran, and would leave an element behind if it were parsed as HTML.
 */
class ScriptInjectionBrowserTest extends BrowserTestBase {
    private static final String NAME = "<img src=x onerror=\"window.pwned='name'\">";
    private static final String ROOM = "<svg onload=\"window.pwned='room'\">";
    private static final String TOPIC = "<script>window.pwned='topic'</script>";
    private static final String TEXT = "<iframe srcdoc=\"<script>parent.pwned='text'</script>\"></iframe>"
            + " javascript:window.pwned='link' https://example.com/\"><img src=x onerror=window.pwned='href'>";
    private static final String FILE = "<img src=x onerror=\"window.pwned='file'\">.txt";
    private static final String EDIT = "<img src=x onerror=\"window.pwned='edit'\"> <script>window.pwned='edit'</script> https://example.com/edited";

    @Test
    void script_payloads_in_every_user_controlled_field_show_up_as_plain_text_and_run_nothing() {
        Page ada = Pages.enter(browser.newUser(), server.url(), NAME);
        ada.locator("#new-room-name").fill(ROOM);
        ada.locator("#new-room-topic").fill(TOPIC);
        ada.locator("#create-room-submit").click();
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace", ROOM);
        ada.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(ROOM)).click();
        assertThat(ada.locator("#members li[data-session-id]")).hasCount(2);

        // First of all, while nothing else was said: the client sends typing at most every few seconds.
        ada.locator("#message-input").pressSequentially("typing");
        assertThat(grace.locator("#typing")).containsText(NAME);

        ada.locator("#message-input").fill(TEXT);
        ada.locator("#message-input").press("Enter");
        ada.locator("#file-input").setInputFiles(new FilePayload(FILE, "text/plain", "harmless".getBytes(StandardCharsets.UTF_8)));

        // What Grace sees, each as the very text that was typed.
        assertThat(grace.locator("#room-title")).hasText(ROOM);
        assertThat(grace.locator("#room-topic")).hasText(TOPIC);
        assertThat(grace.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(ROOM))).hasCount(1);
        assertThat(grace.locator("#members li[data-session-id]", new Page.LocatorOptions().setHasText(NAME))).hasCount(1);
        assertThat(grace.locator("#messages .message[data-seq] .text").first()).hasText(TEXT);
        assertThat(grace.locator("#messages .message[data-seq] .from").first()).hasText(NAME);
        assertThat(grace.locator(".file-card .file-name")).hasText(FILE);

        Locator first = ada.locator("#messages .message[data-seq]").first();
        first.hover();
        first.locator(".edit-button").click();
        first.locator(".edit-input").fill(EDIT);
        first.locator(".edit-input").press("Enter");
        assertThat(grace.locator("#messages .message[data-seq] .text").first()).hasText(EDIT + " (edited)");
        assertThat(first.locator(".text")).hasText(EDIT + " (edited)");

        // A reply quotes that text (its start: it is longer than a quote) and its author's name, in the
        // composer's bar and above the reply; a reaction's title names who reacted.
        String quoted = EDIT.substring(0, 99).stripTrailing() + "…";
        Locator gracesFirst = grace.locator("#messages .message[data-seq]").first();
        gracesFirst.hover();
        gracesFirst.locator(".reply-button").click();
        assertThat(grace.locator("#reply-target .reply-text")).hasText(quoted);
        assertThat(grace.locator("#reply-target .reply-from")).hasText(NAME);
        grace.locator("#message-input").fill("answered");
        grace.locator("#message-input").press("Enter");
        Locator reply = ada.locator("#messages .message[data-seq]", new Page.LocatorOptions().setHasText("answered"));
        assertThat(reply.locator(".reply-text")).hasText(quoted);
        assertThat(reply.locator(".reply-from")).hasText(NAME);
        first.hover();
        first.locator(".react-button").click();
        first.locator(".emoji-picker [data-emoji='👍']").click();
        assertThat(grace.locator(".reaction[data-emoji='👍']")).hasAttribute("title", NAME + " reacted with 👍");
        // A search result carries the same text, with the author's and the room's names, cut into text
        // nodes around the marked words.
        grace.locator("#search-input").fill("onerror");
        grace.locator("#search-input").press("Enter");
        Locator hit = grace.locator("#search-list .search-hit");
        assertThat(hit).hasCount(1);
        assertThat(hit.locator(".search-hit-text")).hasText(EDIT);
        assertThat(hit.locator(".search-hit-author")).hasText(NAME);
        assertThat(hit.locator(".search-hit-room")).hasText("#" + ROOM);
        assertThat(hit.locator("mark")).hasText("onerror");

        for (Page page : new Page[] {ada, grace}) {
            assertThat(page.evaluate("() => window.pwned === undefined")).as("a payload ran").isEqualTo(true);
            // (The picture viewer's own <img> is in index.html, empty until someone opens a picture.)
            assertThat(page.evaluate("() => document.querySelectorAll('img:not(#viewer-image), svg, iframe, script:not([src])').length"))
                    .as("elements parsed from a payload").isEqualTo(0);
            // The one link in the text is the https one; the javascript: text stays text.
            assertThat(page.evaluate("() => [...document.querySelectorAll('#messages a')].map(a => a.protocol).join()"))
                    .isEqualTo("https:");
        }
    }
}
