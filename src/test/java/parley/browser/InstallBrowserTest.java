package parley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Page;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The page installs as an app: Chromium finds its manifest and icons and has nothing against installing it. */
class InstallBrowserTest extends BrowserTestBase {

    @Test
    void chromium_reads_the_manifest_and_finds_the_page_installable() {
        Page page = Pages.enter(browser.newUser(), server.url(), "Ada");
        CDPSession cdp = page.context().newCDPSession(page);

        JsonObject manifest = cdp.send("Page.getAppManifest");
        assertThat(manifest.getAsJsonArray("errors")).as("manifest errors").isEmpty();
        assertThat(manifest.get("url").getAsString()).isEqualTo(server.url() + "manifest.json");

        // Playwright's contexts are incognito, where Chromium installs nothing; it still checks the rest.
        List<String> installability = cdp.send("Page.getInstallabilityErrors").getAsJsonArray("installabilityErrors")
                .asList().stream().map(e -> e.getAsJsonObject().get("errorId").getAsString()).toList();
        assertThat(installability).as("why Chromium would not install the page").containsExactly("in-incognito");

        for (String icon : new String[] {"icon-192.png", "icon-512.png", "icon-maskable-512.png", "favicon.svg"}) {
            APIResponse res = page.request().get(server.url() + icon);
            assertThat(res.status()).as(icon).isEqualTo(200);
            assertThat(res.headers().get("content-type")).as(icon).startsWith("image/");
        }
    }
}
