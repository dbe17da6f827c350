package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import parley.testing.WsClient;

/** Searching messages as a person does: type in the search field, read the results, open one in its room's history. */
class SearchBrowserTest extends BrowserTestBase {

    /** Bob says {@code first} in #general, then {@code more} messages after it, so that a page opening the room holds only the latest. */
    private void bobSays(String first, int more) {
        try (WsClient bob = server.hello("Bob")) {
            String general = bob.ask("list_rooms").get("rooms").get(0).get("id").asText();
            bob.ask("join", "room", general);
            bob.ask("send", "room", general, "clientId", "first", "text", first);
            for (int i = 1; i <= more; i++) bob.ask("send", "room", general, "clientId", "m" + i, "text", "filler " + i);
        }
    }

    private static Locator hits(Page page) {
        return page.locator("#search-list .search-hit");
    }

    private static void search(Page page, String query) {
        page.locator("#search-input").focus();
        page.keyboard().type(query);
        page.keyboard().press("Enter");
    }

    @Test
    void a_search_result_shows_its_room_author_and_match_and_opens_its_message_far_back_in_the_rooms_history() {
        bobSays("The harbour key is under the blue mat", 120);
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        assertThat(ada.locator("#messages .message[data-seq='121']")).isVisible();
        assertThat(ada.locator("#messages .message[data-seq='1']")).hasCount(0); // not in the latest page
        ada.locator("#new-room-name").fill("elsewhere");
        ada.locator("#create-room-submit").click();
        assertThat(ada.locator("#room-title")).hasText("elsewhere");

        search(ada, "HARBO blue");

        assertThat(hits(ada)).hasCount(1);
        Locator hit = hits(ada).first();
        assertThat(hit.locator(".search-hit-room")).hasText("#general");
        assertThat(hit.locator(".search-hit-author")).hasText("Bob");
        assertThat(hit.locator(".search-hit-head time")).isVisible();
        assertThat(hit.locator(".search-hit-text")).hasText("The harbour key is under the blue mat");
        assertThat(hit.locator("mark")).hasCount(2);
        assertThat(hit.locator("mark").first()).hasText("harbo");
        assertThat(hit.locator("mark").nth(1)).hasText("blue");
        assertThat(ada.locator("#search-status")).hasText("1 found.");

        ada.keyboard().press("Tab"); // from the field to its button, then to the results' close button and the result
        ada.keyboard().press("Tab");
        ada.keyboard().press("Tab");
        assertThat(hit).isFocused();
        ada.keyboard().press("Enter");

        assertThat(ada.locator("#room-title")).hasText("general");
        Locator found = ada.locator("#messages .message[data-seq='1']");
        assertThat(found).isInViewport();
        assertThat(found).hasClass(Pattern.compile("\\brevealed\\b"));
        assertThat(found).not().hasClass(Pattern.compile("\\brevealed\\b")); // a moment only

        search(ada, "nothing");
        assertThat(ada.locator("#search-status")).hasText("No messages found.");
        ada.locator("#search-input").fill("go");
        ada.locator("#search-input").press("Enter");
        assertThat(ada.locator("#search-status")).hasText("Type a word of at least 3 characters.");
        ada.locator("#search-close").click();
        assertThat(ada.locator("#search-results")).isHidden();
    }

    @Test
    void on_a_phone_the_search_field_and_its_results_fit_and_a_result_opens_its_message() {
        bobSays("東京タワーに行きました", 3);
        Page ada = browser.newUser();
        ada.setViewportSize(390, 844);
        Pages.enter(ada, server.url(), "Ada");

        search(ada, "京タワ");

        Locator hit = hits(ada).first();
        assertThat(hit.locator("mark")).hasText("京タワ");
        assertThat(hit).isInViewport();
        Object overflow = ada.evaluate("() => document.documentElement.scrollWidth > window.innerWidth");
        org.assertj.core.api.Assertions.assertThat(overflow).as("nothing wider than the phone").isEqualTo(false);
        hit.click();
        assertThat(ada.locator("#messages .message[data-seq='1']")).isInViewport();
        assertThat(ada.locator("#search-results")).isHidden(); // out of the message's way
        assertThat(ada.locator("#search-input")).hasValue("京タワ");
    }
}
