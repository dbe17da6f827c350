package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;

/** What a person does in Parley's page, shared by the browser tests. */
final class Pages {
    private Pages() {}

    /** Opens Parley at {@code url}, says the name, and opens the room called {@code room}. */
    static Page enter(Page page, String url, String name, String room) {
        page.navigate(url);
        page.locator("#name-input").fill(name);
        page.locator("#name-submit").click();
        page.locator("#room-list li[data-room-id]", new Page.LocatorOptions().setHasText(room)).click();
        page.waitForFunction("() => document.body.dataset.connection === 'open'");
        assertThat(page.locator("#composer")).isVisible();
        return page;
    }

    static Page enter(Page page, String url, String name) {
        return enter(page, url, name, "general");
    }
}
