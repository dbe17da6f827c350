package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import org.junit.jupiter.api.Test;

/** Accounts as a person meets them in Chromium: the first sign-up, signing out and in, a password changed elsewhere. */
class AccountBrowserTest extends BrowserTestBase {
    private static final String PASSWORD = "correct horse battery";
    /**
     * How long to wait for what follows a sign-up, sign-in or password change: each checks or makes an
     * Argon2id hash (19 MiB, tens of milliseconds of a free core), which a loaded machine stretches to seconds.
     */
    private static final double HASHED_MS = 30_000;

    private static void hidden(Locator locator) {
        assertThat(locator).isHidden(new LocatorAssertions.IsHiddenOptions().setTimeout(HASHED_MS));
    }

    private static void visible(Locator locator) {
        assertThat(locator).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(HASHED_MS));
    }

    private static Locator stored(Page page) {
        return page.locator("#messages .message[data-seq]");
    }

    private static void openGeneral(Page page) {
        page.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText("general")).click();
        page.waitForFunction("() => document.body.dataset.connection === 'open'");
    }

    private static void signUp(Page page, String username, String name, String password) {
        page.locator("#signup-username").fill(username);
        page.locator("#signup-name").fill(name);
        page.locator("#signup-password").fill(password);
        page.locator("#signup-submit").click();
    }

    @Test
    void a_person_signs_up_signs_out_and_signs_in_again() {
        Page page = browser.newUser();
        page.navigate(server.url());
        visible(page.locator("#signup-form"));
        assertThat(page.locator("#signup-note")).containsText("first account");

        signUp(page, "ada", "Ada Lovelace", PASSWORD);
        hidden(page.locator("#auth-screen"));
        assertThat(page.locator("#me-name")).hasText("Ada Lovelace");
        assertThat(page.locator("#invite-button")).isVisible(); // the first account is the admin
        openGeneral(page);
        page.locator("#message-input").fill("written before signing out");
        page.locator("#message-input").press("Enter");
        assertThat(stored(page)).hasCount(1);

        page.locator("#signout-button").click();
        visible(page.locator("#signin-form"));
        assertThat(page.locator("#app")).isHidden();
        assertThat(page.context().cookies()).as("the session cookie is gone").noneMatch(c -> c.name.equals("parley_session"));

        Pages.signIn(page, "ADA", PASSWORD); // usernames ignore case
        hidden(page.locator("#auth-screen"));
        assertThat(page.locator("#me-name")).hasText("Ada Lovelace");
        openGeneral(page);
        assertThat(stored(page)).hasCount(1);
        assertThat(stored(page).first().locator(".text")).hasText("written before signing out");
        assertThat(page.context().cookies()).filteredOn(c -> c.name.equals("parley_session"))
                .singleElement().satisfies(c -> assertThat(c.httpOnly).as("HttpOnly").isTrue());
    }

    @Test
    void a_password_changed_on_another_device_asks_this_page_to_sign_in_again() {
        Page laptop = browser.newUser();
        laptop.navigate(server.url());
        signUp(laptop, "grace", "Grace Hopper", PASSWORD);
        hidden(laptop.locator("#auth-screen"));
        openGeneral(laptop);

        Page phone = browser.newUser();
        phone.navigate(server.url());
        Pages.signIn(phone, "grace", PASSWORD);
        hidden(phone.locator("#auth-screen"));
        assertThat(phone.locator("#me-name")).hasText("Grace Hopper");
        phone.locator("#password-button").click();
        phone.locator("#password-current").fill(PASSWORD);
        phone.locator("#password-new").fill("a brand new passphrase");
        phone.locator("#password-submit").click();
        visible(phone.locator("#password-done"));

        visible(laptop.locator("#signin-form"));
        assertThat(laptop.locator("#signin-note")).containsText("session has ended");
        Pages.signIn(laptop, "grace", "a brand new passphrase");
        laptop.waitForFunction("() => document.body.dataset.connection === 'open'", null,
                new Page.WaitForFunctionOptions().setTimeout(HASHED_MS));
        assertThat(laptop.locator("#me-name")).hasText("Grace Hopper");

        phone.locator("#password-cancel").click();
        openGeneral(phone);
        assertThat(phone.locator("#connection-status")).isHidden();
    }
}
