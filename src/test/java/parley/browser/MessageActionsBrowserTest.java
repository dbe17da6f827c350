package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Editing, deleting and reacting to messages, as two people in a room see it, live and after a reload. */
class MessageActionsBrowserTest extends BrowserTestBase {

    private static void say(Page page, String text) {
        page.locator("#message-input").fill(text);
        page.locator("#message-input").press("Enter");
    }

    private static Locator message(Page page, String text) {
        return page.locator("#messages .message[data-seq]", new Page.LocatorOptions().setHasText(text));
    }

    /** The same message whatever its text: while edited, its text is in a field, not in the element's text. */
    private static Locator bySeq(Page page, Locator message) {
        return page.locator("#messages .message[data-seq='" + message.getAttribute("data-seq") + "']");
    }

    private static Locator chip(Locator message, String emoji) {
        return message.locator(".reaction[data-emoji='" + emoji + "']");
    }

    @Test
    void edits_reactions_and_deletions_show_for_both_people_live_and_after_a_reload() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        say(ada, "Helo everyone");
        say(ada, "A message to take back");
        assertThat(message(grace, "A message to take back")).isVisible();

        Locator adas = bySeq(ada, message(ada, "Helo everyone"));
        adas.hover();
        adas.locator(".edit-button").click();
        adas.locator(".edit-input").fill("Hello everyone");
        adas.locator(".edit-input").press("Enter");
        Locator edited = message(grace, "Hello everyone");
        assertThat(edited.locator(".text")).hasText("Hello everyone (edited)");
        assertThat(edited.locator(".edited")).hasAttribute("title", Pattern.compile("^Edited "));
        assertThat(message(grace, "Helo")).hasCount(0);

        // Grace may react, but neither edit nor delete what Ada wrote.
        edited.hover();
        assertThat(edited.locator(".react-button")).isVisible();
        assertThat(edited.locator(".edit-button")).isHidden();
        assertThat(edited.locator(".delete-button")).isHidden();
        edited.locator(".react-button").click();
        edited.locator(".emoji-picker [data-emoji='👍']").click();
        Locator adasChip = chip(message(ada, "Hello everyone"), "👍");
        assertThat(adasChip).hasText("👍 1");
        assertThat(adasChip).not().hasClass(Pattern.compile("\\bmine\\b"));
        assertThat(adasChip).hasAttribute("title", "Grace reacted with 👍");
        adasChip.click();
        assertThat(adasChip).hasText("👍 2");
        assertThat(adasChip).hasClass(Pattern.compile("\\bmine\\b"));
        assertThat(chip(edited, "👍")).hasText("👍 2");

        Locator doomed = message(ada, "A message to take back");
        doomed.hover();
        doomed.locator(".delete-button").click();
        ada.locator("#confirm-ok").click();
        assertThat(ada.locator("#confirm-screen")).isHidden();
        for (Page page : new Page[] {ada, grace}) {
            Locator tombstone = page.locator("#messages .message.deleted");
            assertThat(tombstone).hasCount(1);
            assertThat(tombstone.locator(".tombstone")).hasText("This message was deleted");
            assertThat(tombstone.locator(".text")).isHidden();
            assertThat(message(page, "A message to take back")).hasCount(0);
        }

        // Grace's own message she may edit and delete.
        say(grace, "Mine");
        Locator mine = message(grace, "Mine");
        mine.hover();
        assertThat(mine.locator(".edit-button")).isVisible();
        assertThat(mine.locator(".delete-button")).isVisible();

        grace.reload();
        grace.waitForFunction("() => document.body.dataset.connection === 'open'");
        Locator reloaded = message(grace, "Hello everyone");
        assertThat(reloaded.locator(".text")).hasText("Hello everyone (edited)");
        assertThat(chip(reloaded, "👍")).hasText("👍 2");
        assertThat(chip(reloaded, "👍")).hasClass(Pattern.compile("\\bmine\\b"));
        assertThat(chip(reloaded, "👍")).hasAttribute("title", "You and Ada reacted with 👍");
        assertThat(grace.locator("#messages .message.deleted .tombstone")).hasText("This message was deleted");
        assertThat(grace.locator("#messages .message[data-seq]")).hasCount(3);
    }

    @Test
    void edits_and_reactions_in_another_room_do_not_count_as_unread_messages() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        say(ada, "Helo");
        assertThat(message(grace, "Helo")).isVisible();
        grace.locator("#new-room-name").fill("elsewhere");
        grace.locator("#create-room-submit").click();
        assertThat(grace.locator("#room-title")).hasText("elsewhere");

        Locator adas = bySeq(ada, message(ada, "Helo"));
        adas.hover();
        adas.locator(".react-button").click();
        adas.locator(".emoji-picker [data-emoji='🎉']").click();
        assertThat(chip(adas, "🎉")).hasText("🎉 1");
        adas.hover();
        adas.locator(".edit-button").click();
        adas.locator(".edit-input").fill("Hello");
        adas.locator(".edit-input").press("Enter");
        assertThat(adas.locator(".edited")).isVisible();
        say(ada, "Anyone there?");

        Locator badge = grace.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText("general")).locator(".unread");
        assertThat(badge).isVisible();
        assertThat(badge).hasText("1");
    }

    @Test
    void a_reaction_does_not_end_its_authors_typing_indicator() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        say(ada, "Lunch?");
        Locator gracesView = message(grace, "Lunch?");
        assertThat(gracesView).isVisible();

        grace.locator("#message-input").pressSequentially("Sure, at");
        assertThat(ada.locator("#typing")).containsText("Grace");
        gracesView.hover();
        gracesView.locator(".react-button").click();
        gracesView.locator(".emoji-picker [data-emoji='👍']").click();
        assertThat(chip(message(ada, "Lunch?"), "👍")).hasText("👍 1");
        assertThat(ada.locator("#typing")).containsText("Grace");
    }
}
