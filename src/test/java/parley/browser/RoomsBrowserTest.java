package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;

/**
 * Private rooms, direct messages, roles and moderation as people meet them in Chromium, each person in a
 * browser of their own. Ada signs up first, so she is the server's admin; Grace and Linus are not.
 */
class RoomsBrowserTest extends BrowserTestBase {

    private static Locator room(Page page, String name) {
        return page.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(name));
    }

    private static Locator direct(Page page, String name) {
        return page.locator("#dm-list li[data-room-id]", new Page.LocatorOptions().setHasText(name));
    }

    /** A person's row in the open members panel. */
    private static Locator person(Page page, String name) {
        return page.locator("#people li.person", new Page.LocatorOptions().setHasText(name));
    }

    private static Locator button(Locator within, String label) {
        return within.locator("button", new Locator.LocatorOptions().setHasText(label));
    }

    private static Locator stored(Page page) {
        return page.locator("#messages .message[data-seq]");
    }

    private static void say(Page page, String text) {
        page.locator("#message-input").fill(text);
        page.locator("#message-input").press("Enter");
    }

    private static void createRoom(Page page, String name, boolean isPrivate) {
        page.locator("#new-room-name").fill(name);
        page.locator("#new-room-private").setChecked(isPrivate);
        page.locator("#create-room-submit").click();
        assertThat(page.locator("#room-title")).hasText(name); // a new room opens
    }

    private static void openMembers(Page page) {
        if (page.locator("#people-panel").isHidden()) page.locator("#members-button").click();
        assertThat(page.locator("#people-panel")).isVisible();
    }

    /** Invites through the panel's search, typing part of the name as a person would. */
    private static void invite(Page page, String query, String name) {
        openMembers(page);
        page.locator("#invite-search").pressSequentially(query);
        page.locator("#invite-results li[data-user-id]", new Page.LocatorOptions().setHasText(name)).locator("button").click();
        assertThat(person(page, name)).isVisible();
    }

    @Test
    void a_private_room_is_seen_only_by_those_invited_who_chat_there_and_can_be_made_moderators() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");

        createRoom(ada, "board", true);
        assertThat(room(ada, "board")).hasAttribute("data-kind", "private");
        // A public room made after it reaches Grace: by then the private one would have too.
        createRoom(ada, "lobby", false);
        assertThat(room(grace, "lobby")).isVisible();
        assertThat(room(grace, "board")).hasCount(0);

        room(ada, "board").click();
        invite(ada, "gr", "Grace");
        assertThat(ada.locator("#messages .system-line")).hasText("You added Grace.");
        assertThat(room(grace, "board")).hasAttribute("data-kind", "private");

        room(grace, "board").click();
        assertThat(grace.locator("#room-title")).hasText("board");
        say(grace, "Hello Ada, in private");
        assertThat(stored(ada).last().locator(".text")).hasText("Hello Ada, in private");
        say(ada, "Hello Grace");
        assertThat(stored(grace).last().locator(".text")).hasText("Hello Grace");

        openMembers(grace);
        assertThat(person(grace, "Ada").locator(".role")).hasText("owner");
        assertThat(grace.locator("#invite-box")).isHidden(); // a member may not invite

        person(ada, "Grace").locator("select.role-select").selectOption("moderator");
        assertThat(person(grace, "Grace").locator(".role")).hasText("moderator");
        assertThat(grace.locator("#invite-box")).isVisible(); // now she may
        assertThat(grace.locator("#messages .system-line").last()).hasText("Ada made you a moderator.");
        assertThat(ada.locator("#messages .system-line").last()).hasText("You made Grace a moderator.");
        assertThat(person(ada, "Grace").locator(".role")).hasText("moderator");

        grace.locator("#quit-room").click();
        grace.locator("#confirm-ok").click();
        assertThat(room(grace, "board")).hasCount(0);
        assertThat(grace.locator("#room-notice")).containsText("You left #board.");
        assertThat(ada.locator("#messages .system-line").last()).hasText("Grace left the room.");
        assertThat(person(ada, "Grace")).hasCount(0);
    }

    @Test
    void direct_messages_start_from_the_members_panel_or_the_search_and_show_the_other_persons_name() {
        Page linus = Pages.enter(browser.newUser(), server.url(), "Linus");
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");

        openMembers(ada); // #general: public, so the people here now are listed with what one may do
        button(person(ada, "Linus"), "Message").click();
        assertThat(ada.locator("#room-title")).hasText("Linus");
        assertThat(direct(ada, "Linus")).hasAttribute("data-kind", "direct");

        assertThat(direct(linus, "Ada")).isVisible();
        direct(linus, "Ada").click();
        assertThat(linus.locator("#room-title")).hasText("Ada");
        say(ada, "Just between us");
        assertThat(stored(linus).last().locator(".text")).hasText("Just between us");
        say(linus, "Sure");
        assertThat(stored(ada).last().locator(".text")).hasText("Sure");

        // Writing to Ada again from the search opens the same conversation, with what was said.
        room(linus, "general").click();
        linus.locator("#new-dm").click();
        linus.locator("#dm-search").pressSequentially("ad");
        linus.locator("#dm-results li[data-user-id]", new Page.LocatorOptions().setHasText("Ada")).locator("button").click();
        assertThat(linus.locator("#dm-screen")).isHidden();
        assertThat(linus.locator("#room-title")).hasText("Ada");
        assertThat(stored(linus)).hasCount(2);
        assertThat(direct(linus, "Ada")).hasCount(1);
    }

    @Test
    void a_kicked_member_loses_the_private_room_and_a_deleted_room_disappears_for_everyone() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        Page linus = Pages.enter(browser.newUser(), server.url(), "Linus");

        createRoom(ada, "board", true);
        invite(ada, "grace", "Grace");
        room(grace, "board").click();
        assertThat(grace.locator("#room-title")).hasText("board");

        button(person(ada, "Grace"), "Kick").click();
        assertThat(room(grace, "board")).hasCount(0);
        assertThat(grace.locator("#room-notice")).containsText("You were removed from #board by Ada.");
        assertThat(grace.locator("#room-title")).hasText("general"); // the room she had open before
        assertThat(person(ada, "Grace")).hasCount(0);
        assertThat(ada.locator("#messages .system-line").last()).hasText("Grace was removed by you.");

        createRoom(ada, "lobby", false);
        room(grace, "lobby").click();
        assertThat(grace.locator("#room-title")).hasText("lobby");
        assertThat(room(linus, "lobby")).isVisible();

        openMembers(ada);
        ada.locator("#delete-room").click();
        assertThat(ada.locator("#confirm-screen")).isVisible();
        assertThat(ada.locator("#confirm-title")).hasText("Delete #lobby?");
        ada.locator("#confirm-ok").click();
        assertThat(ada.locator("#confirm-screen")).isHidden();
        for (Page page : new Page[] {ada, grace, linus}) {
            assertThat(room(page, "lobby")).hasCount(0);
        }
        assertThat(grace.locator("#room-notice")).containsText("#lobby was deleted by Ada.");
        assertThat(grace.locator("#room-title")).hasText("general");
        assertThat(ada.locator("#room-title")).not().hasText("lobby");
    }

    @Test
    void someone_kicked_from_a_public_room_keeps_it_listed_and_may_join_it_again_but_not_when_banned_until_unbanned() {
        Page ada = Pages.enter(browser.newUser(), server.url(), "Ada");
        Page linus = Pages.enter(browser.newUser(), server.url(), "Linus");

        openMembers(ada); // Ada, the admin, counts as an owner of every public room
        button(person(ada, "Linus"), "Kick").click();
        assertThat(linus.locator("#room-notice")).containsText("You were removed from #general by Ada.");
        assertThat(room(linus, "general")).isVisible();
        assertThat(linus.locator("#message-input")).isDisabled();
        assertThat(ada.locator("#members li[data-user-id]", new Page.LocatorOptions().setHasText("Linus"))).hasCount(0);

        linus.locator("#rejoin-room").click();
        assertThat(linus.locator("#rejoin-room")).isHidden();
        say(linus, "I am back");
        assertThat(stored(ada).last().locator(".text")).hasText("I am back");

        button(person(ada, "Linus"), "Ban").click();
        ada.locator("#confirm-ok").click();
        assertThat(linus.locator("#room-notice")).containsText("You were banned from #general by Ada.");
        assertThat(ada.locator("#banned li.person .person-name")).hasText("Linus");
        linus.locator("#rejoin-room").click();
        assertThat(linus.locator("#room-notice")).containsText("You are banned from #general.");
        assertThat(linus.locator("#message-input")).isDisabled();

        button(ada.locator("#banned li.person"), "Unban").click();
        assertThat(ada.locator("#banned-box")).isHidden();
        linus.locator("#rejoin-room").click();
        assertThat(linus.locator("#message-input")).isEnabled();
        say(linus, "Sorry");
        assertThat(stored(ada).last().locator(".text")).hasText("Sorry");
    }
}
