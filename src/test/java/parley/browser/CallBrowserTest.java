package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import parley.testing.TcpProxy;
import parley.testing.TestServer;

/** Calls in Chromium with fake camera and microphone: real WebRTC between pages. */
class CallBrowserTest extends BrowserTestBase {
    /** This page's session, and per other session: signalling state, connection state, frames decoded, transceivers. */
    private static final String CONNECTIONS = """
            async () => JSON.stringify({ self: document.querySelector('#call-tiles .tile.self')?.dataset.sessionId,
              peers: await Promise.all(window.parleyCall.peers().map(async ([s, pc]) => {
                const stats = await pc.getStats();
                let frames = 0;
                stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
                return [s, pc.signalingState, pc.connectionState, frames,
                        pc.getTransceivers().map(t => `${t.mid}:${t.receiver.track.kind}:${t.direction}/${t.currentDirection}`)];
              })) })""";

    private Page inCall(String name) {
        return Pages.inCall(browser.newUser(), server.url(), name);
    }

    private static String sessionOf(Page page) {
        return Pages.callSession(page);
    }

    /** Waits until this page decodes video frames from each of the given sessions, and more than {@code after}. */
    private static void awaitFramesFrom(Page page, List<String> sessions, Map<String, Integer> after) {
        String condition = "async () => { const f = await (" + Pages.FRAMES_DECODED + ")(); return "
                + sessions.stream().map(s -> "(f['" + s + "'] || 0) > " + after.getOrDefault(s, 0)).reduce((a, b) -> a + " && " + b).orElse("true")
                + "; }";
        try {
            Pages.waitUntil(page, condition, null, Duration.ofSeconds(30));
        } catch (AssertionError e) {
            // Say where every page's connections stand: which pair never connected, and how far it got.
            StringBuilder state = new StringBuilder(e.getMessage());
            for (Page p : page.context().browser().contexts().stream().flatMap(c -> c.pages().stream()).toList()) {
                state.append('\n').append(p.evaluate(CONNECTIONS));
            }
            throw new AssertionError(state.toString(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> frames(Page page) {
        Map<String, Object> raw = (Map<String, Object>) page.evaluate(Pages.FRAMES_DECODED);
        Map<String, Integer> out = new java.util.HashMap<>();
        raw.forEach((k, v) -> out.put(k, ((Number) v).intValue()));
        return out;
    }

    @Test
    void three_people_see_each_other_and_the_call_goes_on_when_one_closes_the_page() {
        Page ada = inCall("Ada");
        Page grace = inCall("Grace");
        Page linus = inCall("Linus");
        List<Page> pages = List.of(ada, grace, linus);
        List<String> sessions = pages.stream().map(CallBrowserTest::sessionOf).toList();
        for (int i = 0; i < 3; i++) {
            List<String> others = new ArrayList<>(sessions);
            others.remove(i);
            awaitFramesFrom(pages.get(i), others, Map.of());
            assertThat(pages.get(i).locator("#call-tiles .tile")).hasCount(3);
        }

        linus.context().close();
        String gone = sessions.get(2);
        for (Page p : List.of(ada, grace)) {
            assertThat(p.locator("#call-tiles .tile[data-session-id='" + gone + "']")).hasCount(0);
        }
        awaitFramesFrom(ada, List.of(sessions.get(1)), frames(ada));
        awaitFramesFrom(grace, List.of(sessions.get(0)), frames(grace));
        System.out.printf("video frames decoded: Ada from Grace %d, Grace from Ada %d%n",
                frames(ada).get(sessions.get(1)), frames(grace).get(sessions.get(0)));
    }

    @Test
    void mute_and_camera_off_show_on_the_others_tiles() {
        Page ada = inCall("Ada");
        Page grace = inCall("Grace");
        String adaSession = sessionOf(ada);
        var adaTileAtGrace = grace.locator("#call-tiles .tile[data-session-id='" + adaSession + "']");
        assertThat(adaTileAtGrace).isVisible();
        assertThat(adaTileAtGrace).not().hasClass(java.util.regex.Pattern.compile("\\bmuted\\b"));

        ada.locator("#call-mute").click();
        assertThat(adaTileAtGrace).hasClass(java.util.regex.Pattern.compile("\\bmuted\\b"));
        ada.locator("#call-camera").click();
        assertThat(adaTileAtGrace).hasClass(java.util.regex.Pattern.compile("\\bcamera-off\\b"));
        ada.locator("#call-mute").click();
        assertThat(adaTileAtGrace).not().hasClass(java.util.regex.Pattern.compile("\\bmuted\\b"));
    }

    @Test
    void a_shared_screen_reaches_the_others_and_stopping_returns_to_the_camera() {
        Page ada = inCall("Ada");
        Page grace = inCall("Grace");
        String adaSession = sessionOf(ada);
        awaitFramesFrom(grace, List.of(adaSession), Map.of());
        // The shape of the frames, width over height: under CPU load the encoder scales frames down, so a
        // width alone does not tell the camera (4:3) from the screen (the window's shape) once it adapts.
        String shape = "async () => { for (const [s, pc] of window.parleyCall.peers()) { if (s !== '" + adaSession + "') continue;"
                + " const st = await pc.getStats(); let r = 0; st.forEach(x => { if (x.type === 'inbound-rtp' && x.kind === 'video'"
                + " && x.frameHeight) r = x.frameWidth / x.frameHeight; }); return r; } return 0; }";
        Number camera = (Number) grace.evaluate(shape);
        assertThat(camera.doubleValue()).as("the camera's shape").isCloseTo(4.0 / 3, within(0.05));

        ada.locator("#call-screen").click();
        Pages.waitUntil(grace, "async camera => { const r = await (" + shape + ")(); return r > 0 && Math.abs(r - camera) > 0.1; }",
                camera.doubleValue(), Duration.ofSeconds(30));

        ada.locator("#call-screen").click();
        Pages.waitUntil(grace, "async camera => Math.abs((await (" + shape + ")()) - camera) < 0.05", camera.doubleValue(),
                Duration.ofSeconds(30));
    }

    @Test
    void someone_who_comes_into_the_room_later_sees_the_call_in_progress_and_joins_with_one_click() {
        Page ada = inCall("Ada");
        Page grace = Pages.enter(browser.newUser(), server.url(), "Grace");
        assertThat(grace.locator("#call-banner")).containsText("Ada");
        long clicked = System.nanoTime();
        grace.locator("#call-join").click();
        awaitFramesFrom(grace, List.of(sessionOf(ada)), Map.of());
        System.out.printf("join call to first remote frame decoded: %d ms%n", (System.nanoTime() - clicked) / 1_000_000);
        assertThat(grace.locator("#call-tiles .tile")).hasCount(2);
    }

    @Test
    void someone_whose_camera_and_microphone_are_refused_is_told_so_and_still_watches_and_listens() {
        Page ada = inCall("Ada");
        Page grace = browser.newUser();
        // What the browser does when the person clicks "Block" on the permission prompt.
        grace.addInitScript("navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));");
        Pages.enter(grace, server.url(), "Grace");
        grace.locator("#call-join").click();
        assertThat(grace.locator("#call-notice")).containsText("may not use your microphone");
        assertThat(grace.locator("#call-notice")).containsText("watch and listen");
        awaitFramesFrom(grace, List.of(sessionOf(ada)), Map.of());
        var graceTileAtAda = ada.locator("#call-tiles .tile[data-session-id='" + sessionOf(grace) + "']");
        assertThat(graceTileAtAda).hasClass(java.util.regex.Pattern.compile("\\bmuted\\b.*\\bcamera-off\\b|\\bcamera-off\\b.*\\bmuted\\b"));
        assertThat(grace.locator("#call-mute")).isDisabled();
    }

    @Test
    void someone_whose_network_drops_for_a_moment_comes_back_without_the_others_seeing_them_leave() {
        try (TcpProxy network = new TcpProxy(server.port())) {
            Page ada = inCall("Ada");
            Page grace = Pages.enter(browser.newUser(), "http://127.0.0.1:" + network.port() + "/", "Grace");
            grace.locator("#call-join").click();
            String adaSession = sessionOf(ada);
            String graceSession = sessionOf(grace);
            awaitFramesFrom(ada, List.of(graceSession), Map.of());
            awaitFramesFrom(grace, List.of(adaSession), Map.of());
            ada.evaluate("""
                    s => {
                      window.graceTileGone = false;
                      new MutationObserver(() => {
                        if (!document.querySelector(`#call-tiles .tile[data-session-id='${s}']`)) window.graceTileGone = true;
                      }).observe(document.getElementById('call-tiles'), { childList: true });
                    }""", graceSession);

            network.cut();
            grace.waitForFunction("() => document.body.dataset.connection === 'reconnecting'");
            network.restore();
            grace.waitForFunction("() => document.body.dataset.connection === 'open'");

            assertThat(sessionOf(grace)).as("the same session").isEqualTo(graceSession);
            awaitFramesFrom(ada, List.of(graceSession), frames(ada));
            awaitFramesFrom(grace, List.of(adaSession), frames(grace));
            // Signalling works again: a change of Grace's reaches Ada's tile.
            grace.locator("#call-mute").click();
            assertThat(ada.locator("#call-tiles .tile[data-session-id='" + graceSession + "']"))
                    .hasClass(java.util.regex.Pattern.compile("\\bmuted\\b"));
            assertThat(ada.evaluate("() => window.graceTileGone")).as("Grace's tile never left Ada's page").isEqualTo(false);
        }
    }
}
