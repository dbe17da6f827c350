package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import parley.testing.WsClient;

/** The call's quality as people see it: the marks on the tiles and the panel with its figures and charts. */
class CallQualityBrowserTest extends BrowserTestBase {
    private Page inCall(String name) {
        return Pages.inCall(browser.newUser(), server.url(), name);
    }

    private static String sessionOf(Page page) {
        return Pages.callSession(page);
    }

    /** True once the card of {@code session} shows video, frames and a round trip above zero. */
    private static final String FIGURES_ABOVE_ZERO = """
            s => { const c = document.querySelector(`#call-quality-cards .quality-card[data-session-id='${s}']`);
                   return !!c && +c.dataset.receiveKbps > 0 && +c.dataset.fps > 0 && +c.dataset.rttMs > 0; }""";

    @Test
    void the_quality_panel_shows_bitrate_frame_rate_and_round_trip_for_each_other_participant_and_updates() throws Exception {
        Page ada = inCall("Ada");
        Page grace = inCall("Grace");
        Page linus = inCall("Linus");
        List<Page> pages = List.of(ada, grace, linus);
        for (Page page : pages) {
            page.locator("#call-quality-toggle").click();
            for (Page other : pages) {
                if (other == page) continue;
                String s = sessionOf(other);
                page.waitForFunction(FIGURES_ABOVE_ZERO, s, new Page.WaitForFunctionOptions().setTimeout(30_000));
                Locator card = page.locator("#call-quality-cards .quality-card[data-session-id='" + s + "']");
                assertThat(card.locator("canvas").first()).isVisible(); // uPlot's charts, served from the jar
                // It updates: the figures of a second later are other figures.
                String before = card.locator(".quality-figures").innerText();
                page.waitForFunction("([s, before]) => document.querySelector(`#call-quality-cards .quality-card[data-session-id='${s}'] .quality-figures`).innerText !== before",
                        List.of(s, before));
                // The tile says how it goes without the panel: on loopback nothing is lost or late, but three
                // pages encoding video on two busy cores may well send fewer than 12 frames a second, and a
                // sender's bandwidth estimate starts low and limits its upload for the first seconds.
                assertThat(page.locator("#call-tiles .tile[data-session-id='" + s + "'] .tile-quality"))
                        .hasText(java.util.regex.Pattern.compile("^(good|fair: (their upload is limited|your upload is limited|your computer is busy))$"));
            }
            assertThat(page.locator("#call-quality-cards .quality-card[data-session-id='self'] meter")).isVisible();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) ada.evaluate("() => window.parleyCall.report()");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Number>> figures = (Map<String, Map<String, Number>>) report.get("figures");
        assertThat(figures.get("rtt").get("avg").doubleValue()).as("round trip in the report").isPositive();
        assertThat(figures.get("fps").get("avg").doubleValue()).as("frame rate in the report").isPositive();
        assertThat(figures.get("receiveBitrate").get("worst").doubleValue()).as("worst minute's bitrate").isPositive();
        assertThat(report.get("candidates")).asList().isNotEmpty();

        ada.locator("#call-quality-toggle").click();
        assertThat(ada.locator("#call-quality")).isHidden();
        assertThat(ada.locator("#call-quality-cards canvas")).hasCount(0);

        // Leaving sends the final report, which the server keeps and shows to an admin (Ada's is the first account).
        String adaSession = sessionOf(ada);
        ada.locator("#call-leave").click();
        try (WsClient admin = server.hello("Ada")) {
            String room = admin.ask("list_rooms").get("rooms").get(0).get("id").asText();
            JsonNode mine = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (mine == null && System.nanoTime() < deadline) {
                Thread.sleep(200); // asking again, well within the server's rate limit
                JsonNode calls = admin.ask("calls", "room", room).get("calls");
                for (JsonNode p : calls.get(0).get("participants")) {
                    if (p.get("sessionId").asText().equals(adaSession) && p.path("final").asBoolean()) mine = p;
                }
            }
            assertThat(mine).as("Ada's final report, kept by the server").isNotNull();
            assertThat(mine.at("/report/figures/rtt/avg").asDouble()).isPositive();
            assertThat(mine.at("/report/figures/fps/avg").asDouble()).isPositive();
            assertThat(mine.at("/report/seconds").asInt()).isPositive();
            assertThat(mine.has("left")).as("she left").isTrue();
        }
    }

    @Test
    void test_my_connection_says_that_without_servers_only_direct_connections_are_possible() {
        Page ada = inCall("Ada");
        ada.locator("#call-test").click();
        assertThat(ada.locator("#call-test-result li")).containsText("direct (no server): works", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(20_000));
    }
}
