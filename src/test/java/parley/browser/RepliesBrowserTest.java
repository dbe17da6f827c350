package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import parley.testing.WsClient;

/** Replies and the picker of any emoji, as people use them in the page. */
class RepliesBrowserTest extends BrowserTestBase {
    private static final Pattern HIGHLIGHTED = Pattern.compile("\\brevealed\\b");

    private static void say(Page page, String text) {
        page.locator("#message-input").fill(text);
        page.locator("#message-input").press("Enter");
    }

    /** The message whose own text holds {@code text} (a reply's quote of it does not count). */
    private static Locator message(Page page, String text) {
        return page.locator("#messages .message[data-seq]", new Page.LocatorOptions()
                .setHas(page.locator(".text", new Page.LocatorOptions().setHasText(text))));
    }

    private static void replyTo(Locator message) {
        message.hover();
        message.locator(".reply-button").click();
    }

    private static void openFullPicker(Locator message) {
        message.hover();
        message.locator(".react-button").click();
        message.locator(".more-emoji").click();
    }

    @Test
    void a_reply_written_in_the_page_quotes_its_message_follows_its_edit_and_its_quote_leads_back_to_it() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        say(ada, "Deploy at 5?");
        Locator question = message(grace, "Deploy at 5?");

        replyTo(question);
        assertThat(grace.locator("#reply-bar")).isVisible();
        assertThat(grace.locator("#reply-target")).hasText("AdaDeploy at 5?");
        grace.locator("#message-input").press("Escape");
        assertThat(grace.locator("#reply-bar")).isHidden();
        replyTo(question);
        say(grace, "Yes, at 5");
        assertThat(grace.locator("#reply-bar")).isHidden();

        for (Page page : new Page[] {ada, grace}) {
            Locator quote = message(page, "Yes, at 5").locator(".reply-quote");
            assertThat(quote.locator(".reply-from")).hasText("Ada");
            assertThat(quote.locator(".reply-text")).hasText("Deploy at 5?");
        }

        // By its seq: while edited, its text is in a field.
        Locator adas = ada.locator("#messages .message[data-seq='" + message(ada, "Deploy at 5?").getAttribute("data-seq") + "']");
        adas.hover();
        adas.locator(".edit-button").click();
        adas.locator(".edit-input").fill("Deploy at 6?");
        adas.locator(".edit-input").press("Enter");
        assertThat(message(grace, "Yes, at 5").locator(".reply-text")).hasText("Deploy at 6?");
        assertThat(message(ada, "Yes, at 5").locator(".reply-text")).hasText("Deploy at 6?");

        message(grace, "Yes, at 5").locator(".reply-quote").click();
        assertThat(message(grace, "Deploy at 6?")).hasClass(HIGHLIGHTED);

        grace.reload();
        assertThat(message(grace, "Yes, at 5").locator(".reply-text")).hasText("Deploy at 6?");
        Locator mine = message(ada, "Deploy at 6?");
        mine.hover();
        mine.locator(".delete-button").click();
        ada.locator("#confirm-ok").click();
        assertThat(message(grace, "Yes, at 5").locator(".reply-text")).hasText("This message was deleted");
        assertThat(grace.locator("#messages")).not().containsText("Deploy at");
    }

    @Test
    void clicking_the_quote_of_a_message_outside_the_loaded_history_loads_it_and_highlights_it() {
        WsClient bot = server.hello("Bot");
        bot.send("list_rooms");
        String general = null;
        for (JsonNode room : bot.expect("rooms").get("rooms")) if (room.get("name").asText().equals("general")) general = room.get("id").asText();
        bot.send("join", "room", general);
        bot.expect("joined");
        bot.send("send", "room", general, "clientId", "first", "text", "The very first word");
        for (int i = 0; i < 70; i++) bot.send("send", "room", general, "clientId", "fill-" + i, "text", "filler " + i);
        bot.send("send", "room", general, "clientId", "answer", "text", "Answering the first", "replyTo", 1, "ref", "last");
        bot.expect(m -> "last".equals(m.path("ref").asText()), "the last ack");
        bot.close();

        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Locator answer = message(ada, "Answering the first");
        assertThat(answer.locator(".reply-text")).hasText("The very first word");
        assertThat(message(ada, "The very first word")).hasCount(0);

        answer.locator(".reply-quote").click();
        assertThat(message(ada, "The very first word")).isInViewport();
        assertThat(message(ada, "The very first word")).hasClass(HIGHLIGHTED);
    }

    @Test
    void any_emoji_found_by_name_in_the_full_picker_with_the_keyboard_becomes_a_reaction() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        say(ada, "Launch day");
        Locator launch = message(grace, "Launch day");

        openFullPicker(launch);
        Locator dialog = grace.locator(".emoji-dialog");
        assertThat(dialog).isVisible();
        assertThat(grace.locator(".emoji-search")).isFocused();
        assertThat(dialog.locator(".emoji-grid .emoji").first()).isVisible();
        grace.keyboard().type("rocket");
        assertThat(dialog.locator(".emoji-grid .emoji").first()).hasAttribute("data-emoji", "🚀");
        grace.keyboard().press("Enter");
        assertThat(dialog).isHidden();
        assertThat(message(ada, "Launch day").locator(".reaction[data-emoji='🚀']")).hasText("🚀 1");

        // The arrow keys in the grid, and a skin tone.
        openFullPicker(launch);
        grace.locator(".emoji-tone").selectOption("3");
        grace.locator(".emoji-search").fill("thumbs up");
        grace.locator(".emoji-search").press("ArrowDown");
        assertThat(dialog.locator(".emoji-grid .emoji[data-emoji='👍🏽']")).isFocused();
        grace.keyboard().press("Enter");
        assertThat(message(ada, "Launch day").locator(".reaction[data-emoji='👍🏽']")).hasText("👍🏽 1");

        openFullPicker(launch);
        grace.locator(".emoji-search").fill("flag");
        grace.locator(".emoji-search").press("ArrowDown");
        grace.keyboard().press("ArrowRight");
        String flag = (String) grace.evaluate("() => document.activeElement.dataset.emoji");
        grace.keyboard().press("Escape");
        assertThat(dialog).isHidden();
        assertThat(launch.locator(".react-button")).isFocused();
        assertThat(message(ada, "Launch day").locator(".reaction")).hasCount(2);
        org.assertj.core.api.Assertions.assertThat(flag).as("the second flag").isNotBlank();
    }
}
