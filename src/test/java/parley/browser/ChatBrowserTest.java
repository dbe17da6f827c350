package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import parley.testing.TcpProxy;
import parley.testing.TestServer;

/** What people see in Chromium: two of them chatting, a reload, and a network drop. */
class ChatBrowserTest extends BrowserTestBase {

    private static Page enter(Page page, String url, String name) {
        return Pages.enter(page, url, name);
    }

    private static void say(Page page, String text) {
        page.locator("#message-input").fill(text);
        page.locator("#message-input").press("Enter");
    }

    private static Locator stored(Page page) {
        return page.locator("#messages .message[data-seq]");
    }

    /** The seqs and texts of the stored messages shown, in page order. */
    private static List<String> shown(Page page) {
        return stored(page).all().stream()
                .map(m -> m.getAttribute("data-seq") + ":" + m.locator(".text").textContent())
                .toList();
    }

    @Test
    void two_people_chat_and_see_each_other_typing_and_present() {
        Page ada = enter(browser.newUser(), server.url(), "Ada");
        Page grace = enter(browser.newUser(), server.url(), "Grace");

        assertThat(ada.locator("#members li[data-session-id]", new Page.LocatorOptions().setHasText("Grace"))).isVisible();

        say(ada, "Hello Grace");
        assertThat(stored(grace).last().locator(".text")).hasText("Hello Grace");
        assertThat(stored(grace).last().locator(".from")).hasText("Ada");

        grace.locator("#message-input").pressSequentially("Hi Ad");
        assertThat(ada.locator("#typing")).containsText("Grace");
        grace.locator("#message-input").press("a");
        grace.locator("#message-input").press("Enter");
        assertThat(stored(ada).last().locator(".text")).hasText("Hi Ada");
        assertThat(ada.locator("#typing")).not().containsText("Grace");
        assertThat(stored(ada)).hasCount(2);
        assertThat(shown(ada)).isEqualTo(shown(grace));
    }

    @Test
    void after_a_reload_the_room_shows_its_history() {
        Page ada = enter(browser.newUser(), server.url(), "Ada");
        for (int i = 1; i <= 5; i++) {
            say(ada, "note " + i);
            assertThat(stored(ada)).hasCount(i);
        }
        ada.reload();
        ada.waitForFunction("() => document.body.dataset.connection === 'open'");
        assertThat(stored(ada)).hasCount(5);
        assertThat(shown(ada)).containsExactly("1:note 1", "2:note 2", "3:note 3", "4:note 4", "5:note 5");
        assertThat(ada.locator("#messages .message.pending")).hasCount(0);
    }

    @Test
    void on_a_phone_the_room_name_has_a_line_of_its_own_and_keeps_its_words_whole() {
        Page ada = browser.newUser();
        ada.setViewportSize(390, 844);
        enter(ada, server.url(), "Ada");
        assertThat(ada.locator("#room-title")).hasText("general");
        // One line: as tall as its line height, not broken into pieces beside the header's buttons.
        Object lines = ada.evaluate("() => { const t = document.querySelector('#room-title');"
                + " return Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)); }");
        assertThat(((Number) lines).intValue()).isEqualTo(1);
    }

    @Test
    void text_that_looks_like_html_is_shown_as_text() {
        Page ada = enter(browser.newUser(), server.url(), "<b>Ada</b>");
        Page grace = enter(browser.newUser(), server.url(), "Grace");
        String script = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>";
        say(ada, script);
        assertThat(stored(grace).last().locator(".text")).hasText(script);
        assertThat(stored(grace).last().locator(".from")).hasText("<b>Ada</b>");
        assertThat(grace.evaluate("() => window.pwned === undefined && document.querySelector('#messages img') === null"))
                .isEqualTo(true);
    }

    @Test
    void after_the_network_drops_the_page_reconnects_by_itself_and_shows_every_message_once_in_order() {
        try (TcpProxy network = new TcpProxy(server.port())) {
            Page ada = enter(browser.newUser(), "http://127.0.0.1:" + network.port() + "/", "Ada");
            Page grace = enter(browser.newUser(), server.url(), "Grace");
            say(grace, "before the drop");
            assertThat(stored(ada)).hasCount(1);

            network.cut();
            ada.waitForFunction("() => document.body.dataset.connection === 'reconnecting'");
            assertThat(ada.locator("#connection-status")).isVisible();
            for (int i = 1; i <= 12; i++) {
                say(grace, "while away " + i);
            }
            assertThat(stored(grace)).hasCount(13);
            say(ada, "written offline");
            assertThat(ada.locator("#messages .message.pending")).hasCount(1);

            network.restore();
            ada.waitForFunction("() => document.body.dataset.connection === 'open'");
            assertThat(ada.locator("#connection-status")).isHidden();
            assertThat(stored(ada)).hasCount(14);
            assertThat(ada.locator("#messages .message.pending")).hasCount(0);
            assertThat(stored(grace)).hasCount(14);

            List<String> seen = shown(ada);
            assertThat(seen).isEqualTo(shown(grace));
            assertThat(seen.subList(0, 13)).containsExactlyElementsOf(IntStream.rangeClosed(1, 13)
                    .mapToObj(i -> i + ":" + (i == 1 ? "before the drop" : "while away " + (i - 1))).toList());
            assertThat(seen.get(13)).isEqualTo("14:written offline");
        }
    }

    @Test
    void going_offline_shows_at_once_and_coming_back_sends_what_was_written_meanwhile() {
        Page ada = enter(browser.newUser(), server.url(), "Ada");
        BrowserContext laptop = ada.context();
        Page grace = enter(browser.newUser(), server.url(), "Grace");
        say(grace, "before");
        assertThat(stored(ada)).hasCount(1);

        // The socket stays up to the server (nothing cut it): only the browser's offline event can tell.
        laptop.setOffline(true);
        LocatorAssertions.IsVisibleOptions soon = new LocatorAssertions.IsVisibleOptions().setTimeout(3_000);
        assertThat(ada.locator("#connection-status")).isVisible(soon);
        assertThat(ada.locator("#connection-status")).hasText("You are offline");
        say(ada, "written offline");
        assertThat(ada.locator("#messages .message.pending")).hasCount(1);
        say(grace, "meanwhile");

        laptop.setOffline(false);
        ada.waitForFunction("() => document.body.dataset.connection === 'open'", null,
                new Page.WaitForFunctionOptions().setTimeout(5_000));
        assertThat(ada.locator("#connection-status")).isHidden();
        assertThat(stored(grace)).hasCount(3);
        assertThat(shown(ada)).isEqualTo(shown(grace));
        assertThat(shown(ada)).containsExactly("1:before", "2:meanwhile", "3:written offline");
    }

    @Test
    void messages_written_offline_beyond_the_servers_burst_are_paced_and_all_stored_once_back_online() {
        server.close();
        server = TestServer.start("--messages-per-second", "20", "--message-burst", "10");
        try (TcpProxy network = new TcpProxy(server.port())) {
            Page ada = enter(browser.newUser(), "http://127.0.0.1:" + network.port() + "/", "Ada");
            Page grace = enter(browser.newUser(), server.url(), "Grace");
            network.cut();
            ada.waitForFunction("() => document.body.dataset.connection === 'reconnecting'");
            int written = 40; // four times the burst: sent at once, most would be refused as rate_limited
            for (int i = 1; i <= written; i++) say(ada, "offline " + i);
            assertThat(ada.locator("#messages .message.pending")).hasCount(written);

            network.restore();
            ada.waitForFunction("() => document.body.dataset.connection === 'open'");
            assertThat(stored(grace)).hasCount(written, new LocatorAssertions.HasCountOptions().setTimeout(30_000));
            assertThat(ada.locator("#messages .message.pending")).hasCount(0);
            assertThat(shown(grace)).containsExactlyElementsOf(IntStream.rangeClosed(1, written).mapToObj(i -> i + ":offline " + i).toList());
        }
    }
}
