package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;

/** Everything without a mouse: switching rooms by typing a part of their name. */
class KeyboardBrowserTest extends BrowserTestBase {

    private static void createRoom(Page page, String name) {
        page.locator("#new-room-name").fill(name);
        page.locator("#create-room-submit").click();
        assertThat(page.locator("#room-title")).hasText(name);
    }

    private static Locator choices(Page page) {
        return page.locator("#switch-results [role=option]");
    }

    @Test
    void ctrl_k_switches_rooms_by_typing_part_of_a_name_with_arrows_enter_and_escape() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        for (String name : new String[] {"design", "deploys", "café-talk", "random"}) createRoom(ada, name);

        ada.keyboard().press("Control+k");
        assertThat(ada.locator("#switch-screen")).isVisible();
        assertThat(ada.locator("#switch-search")).isFocused();
        assertThat(choices(ada)).hasCount(5); // general, and the four new ones

        // Names that start with what was typed come first; a name containing it after them.
        ada.keyboard().type("r");
        assertThat(choices(ada)).hasText(new String[] {"#random", "#general"});
        ada.keyboard().press("Backspace");
        ada.keyboard().type("de");
        assertThat(choices(ada)).hasText(new String[] {"#deploys", "#design"});
        ada.keyboard().press("ArrowDown");
        assertThat(choices(ada).nth(1)).hasAttribute("aria-selected", "true");
        ada.keyboard().press("Enter");
        assertThat(ada.locator("#switch-screen")).isHidden();
        assertThat(ada.locator("#room-title")).hasText("design");
        assertThat(ada.locator("#message-input")).isFocused();

        // Neither accents nor case matter.
        ada.keyboard().press("Control+k");
        ada.keyboard().type("CAFE");
        assertThat(choices(ada)).hasText(new String[] {"#café-talk"});
        ada.keyboard().press("Enter");
        assertThat(ada.locator("#room-title")).hasText("café-talk");

        // Nothing found says so; Escape closes without moving, and gives the focus back.
        ada.locator("#message-input").focus();
        ada.keyboard().press("Control+k");
        ada.keyboard().type("zzz");
        assertThat(ada.locator("#switch-results")).hasText("No room by that name");
        ada.keyboard().press("Escape");
        assertThat(ada.locator("#switch-screen")).isHidden();
        assertThat(ada.locator("#room-title")).hasText("café-talk");
        assertThat(ada.locator("#message-input")).isFocused();
    }
}
