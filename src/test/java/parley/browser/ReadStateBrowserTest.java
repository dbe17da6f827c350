package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Read markers shared by an account's tabs, mentions as one writes and reads them, and desktop notifications. */
class ReadStateBrowserTest extends BrowserTestBase {

    /**
     * Records every notification the page makes, while the real one is made too: Chromium shows nothing a
     * test can see, so the page's own Notification is wrapped.
     */
    private static final String RECORD_NOTIFICATIONS = """
            (() => {
              const Real = window.Notification;
              if (!Real) return;
              window.notificationsShown = [];
              class Recorded extends Real {
                constructor(title, options) {
                  super(title, options);
                  window.notificationsShown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
                }
              }
              Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
              Recorded.requestPermission = (...args) => Real.requestPermission(...args);
              window.Notification = Recorded;
            })();
            """;

    private static void say(Page page, String text) {
        page.locator("#message-input").fill(text);
        page.locator("#message-input").press("Enter");
    }

    private static Locator room(Page page, String name) {
        return page.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(name));
    }

    private static void createRoom(Page page, String name) {
        page.locator("#new-room-name").fill(name);
        page.locator("#create-room-submit").click();
        assertThat(page.locator("#room-title")).hasText(name);
    }

    @Test
    void two_tabs_of_one_account_agree_on_unread_counts_after_reading_in_one() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        createRoom(grace, "elsewhere");
        Page graceAgain = grace.context().newPage();
        graceAgain.navigate(server.url() + "#room=" + grace.url().substring(grace.url().indexOf("#room=") + 6));
        assertThat(graceAgain.locator("#room-title")).hasText("elsewhere");

        say(ada, "one");
        say(ada, "two");
        say(ada, "three");
        assertThat(room(grace, "general").locator(".unread")).hasText("3");
        assertThat(room(graceAgain, "general").locator(".unread")).hasText("3");

        room(grace, "general").click();
        assertThat(grace.locator("#messages .message[data-seq]", new Page.LocatorOptions().setHasText("three"))).isVisible();
        assertThat(room(graceAgain, "general").locator(".unread")).isHidden();
        assertThat(room(grace, "general").locator(".unread")).isHidden();

        // Another browser of the same account, never opened before, knows it too: the marker is the server's.
        Page graceElsewhere = Pages.enter(browser.newUser(), server.url(), "Grace", "elsewhere");
        assertThat(room(graceElsewhere, "general").locator(".unread")).isHidden();
        room(grace, "elsewhere").click();
        assertThat(grace.locator("#room-title")).hasText("elsewhere");
        say(ada, "four");
        assertThat(room(grace, "general").locator(".unread")).hasText("1");
        assertThat(room(graceAgain, "general").locator(".unread")).hasText("1");
        graceElsewhere.reload(); // general was never opened here: its count comes with the room list
        assertThat(room(graceElsewhere, "general").locator(".unread")).hasText("1");
    }

    @Test
    void the_mention_list_completes_a_name_and_the_mention_is_highlighted_and_counted_apart() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        createRoom(grace, "elsewhere");

        Locator input = ada.locator("#message-input");
        input.pressSequentially("thanks @gr");
        Locator option = ada.locator(".mention-picker li", new Page.LocatorOptions().setHasText("@Grace"));
        assertThat(option).isVisible();
        assertThat(option).hasClass(java.util.regex.Pattern.compile("\\bactive\\b"));
        input.press("Enter");
        assertThat(input).hasValue("thanks @Grace ");
        assertThat(ada.locator(".mention-picker")).isHidden();
        input.pressSequentially("for the slides");
        input.press("Enter");

        Locator sent = ada.locator("#messages .message[data-seq]", new Page.LocatorOptions().setHasText("for the slides"));
        assertThat(sent.locator(".mention")).hasText("@Grace");
        assertThat(room(grace, "general").locator(".mention-count")).hasText("@1");
        assertThat(room(grace, "general").locator(".unread")).hasText("1");

        room(grace, "general").click();
        Locator seen = grace.locator("#messages .message[data-seq]", new Page.LocatorOptions().setHasText("for the slides"));
        assertThat(seen).hasClass(java.util.regex.Pattern.compile("\\bmentions-me\\b"));
        assertThat(seen.locator(".mention.me")).hasText("@Grace");
        assertThat(room(grace, "general").locator(".mention-count")).isHidden();
    }

    @Test
    void a_mention_elsewhere_notifies_and_nothing_notifies_for_the_room_in_view() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = browser.newUser();
        BrowserContext context = grace.context();
        context.grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(server.url()));
        context.addInitScript(RECORD_NOTIFICATIONS);
        Pages.enter(grace, server.url(), "Grace");
        assertThat(grace.locator("#notify-button")).isHidden(); // granted already: nothing to ask

        say(ada, "@Grace in view: no notification");
        assertThat(grace.locator("#messages .message[data-seq]", new Page.LocatorOptions().setHasText("in view"))).isVisible();

        createRoom(grace, "elsewhere");
        say(ada, "plain news in general: rooms notify of mentions only");
        say(ada, "@Grace are you there?");
        grace.waitForFunction("() => window.notificationsShown.length > 0");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shown = (List<Map<String, Object>>) grace.evaluate("() => window.notificationsShown");
        assertThat(shown).hasSize(1);
        assertThat(shown.getFirst().get("title")).isEqualTo("Ada in #general mentioned you");
        assertThat(shown.getFirst().get("body")).isEqualTo("@Grace are you there?");
    }
}
