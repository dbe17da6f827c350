package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import parley.testing.TestServer;
import parley.testing.TurnServer;

/** Calls through coturn only ({@code ice-relay-only}), with the credentials Parley hands out. */
class TurnBrowserTest extends BrowserTestBase {
    private static final String SECRET = "turn-test-secret";

    @TempDir
    Path dir;

    /** Each test starts coturn first, then a Parley that hands out its credentials. */
    @Override
    TestServer newServer() {
        return null;
    }

    /** The type of the local candidate of the connection's selected pair, and frames decoded, per remote session id. */
    private static final String SELECTED_LOCAL_TYPE = """
            async () => {
              const out = {};
              for (const [sessionId, pc] of window.parleyCall.peers()) {
                const stats = await pc.getStats();
                let pair = null;
                stats.forEach(r => { if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); });
                const local = pair ? stats.get(pair.localCandidateId) : null;
                let frames = 0;
                stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
                out[sessionId] = { type: local ? local.candidateType : null, frames };
              }
              return out;
            }""";

    /** True once this page's single peer connection goes through the relay and has decoded more than {@code frames}. */
    private static final String RELAYED_AND_DECODED_MORE_THAN = "async (frames) => { const s = await (" + SELECTED_LOCAL_TYPE + ")();"
            + " const v = Object.values(s); return v.length === 1 && v[0].type === 'relay' && v[0].frames > frames; }";

    /** Two people in a relay-only call, each decoding the other's video through coturn. */
    private static Page[] relayedCall(TestServer server) {
        Page[] pages = new Page[2];
        String[] names = {"Ada", "Grace"};
        for (int i = 0; i < 2; i++) {
            Page page = browser.newUser();
            Pages.enter(page, server.url(), names[i]);
            page.locator("#call-join").click();
            assertThat(page.locator("#call-tiles .tile.self")).isVisible();
            pages[i] = page;
        }
        for (Page page : pages) {
            Pages.waitUntil(page, RELAYED_AND_DECODED_MORE_THAN, 0, Duration.ofSeconds(45));
        }
        return pages;
    }

    private static TestServer relayOnlyParley(TurnServer turn) {
        return TestServer.start("--turn-urls", turn.udpUrl(), "--turn-secret", SECRET, "--ice-relay-only", "true");
    }

    @Test
    void two_people_whose_browsers_may_only_use_the_relay_see_each_other_through_coturn() throws Exception {
        Path log = dir.resolve("turn.log");
        try (TurnServer turn = new TurnServer(SECRET, log); TestServer server = relayOnlyParley(turn)) {
            Page[] pages = relayedCall(server);
            // coturn writes its log a little after the fact: wait for the allocation to show.
            pages[0].waitForCondition(() -> read(log).contains("ALLOCATE"),
                    new Page.WaitForConditionOptions().setTimeout(15_000));
            assertThat(browser.closeUsers()).as("errors in the browser console").isEmpty();
        }
    }

    @Test
    void a_relayed_call_says_so_on_the_tiles_and_in_the_quality_panel() throws Exception {
        try (TurnServer turn = new TurnServer(SECRET, dir.resolve("turn.log")); TestServer server = relayOnlyParley(turn)) {
            Page[] pages = relayedCall(server);
            for (Page page : pages) {
                assertThat(page.locator("#call-tiles .tile:not(.self) .tile-quality")).containsText("connected through a relay");
                page.locator("#call-quality-toggle").click();
                assertThat(page.locator("#call-quality-cards .quality-card:not([data-session-id='self'])")).hasAttribute("data-path", "relay");
                assertThat(page.locator("#call-quality-cards .quality-card:not([data-session-id='self']) .quality-figures"))
                        .containsText("relay, UDP via turn:");
            }
            assertThat(browser.closeUsers()).as("errors in the browser console").isEmpty();
        }
    }

    @Test
    void a_relay_only_call_whose_turn_secret_is_wrong_is_diagnosed_as_a_refused_credential() throws Exception {
        try (TurnServer turn = new TurnServer(SECRET, dir.resolve("turn.log"));
             TestServer server = TestServer.start("--turn-urls", turn.udpUrl(), "--turn-secret", "not-" + SECRET, "--ice-relay-only", "true")) {
            String[] names = {"Ada", "Grace"};
            Page[] pages = new Page[2];
            for (int i = 0; i < 2; i++) {
                pages[i] = Pages.enter(browser.newUser(), server.url(), names[i]);
                pages[i].locator("#call-join").click();
            }
            for (Page page : pages) {
                assertThat(page.locator("#call-diagnosis")).containsText("refused the credential",
                        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
                assertThat(page.locator("#call-diagnosis")).containsText("same secret");
                assertThat(page.locator("#call-tiles .tile:not(.self) .tile-quality")).containsText("poor");
            }
            pages[0].locator("#call-test").click();
            assertThat(pages[0].locator("#call-test-result li")).containsText("refused the credential",
                    new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(20_000));
            assertThat(browser.closeUsers()).as("errors in the browser console").isEmpty();
        }
    }

    /** The ICE username fragment of this page's local description, which an ICE restart changes. */
    private static final String LOCAL_UFRAG =
            "() => window.parleyCall.peers()[0][1].localDescription.sdp.match(/a=ice-ufrag:(\\S+)/)[1]";

    @Test
    void a_call_whose_relay_crashes_restarts_ice_and_comes_back() throws Exception {
        try (TurnServer turn = new TurnServer(SECRET, dir.resolve("turn.log")); TestServer server = relayOnlyParley(turn)) {
            Page[] pages = relayedCall(server);
            String[] ufragBefore = new String[pages.length];
            for (int i = 0; i < pages.length; i++) {
                ufragBefore[i] = (String) pages[i].evaluate(LOCAL_UFRAG);
            }
            turn.stop(); // every allocation is gone
            for (Page page : pages) {
                page.waitForFunction("() => window.parleyCall.peers().every(([, pc]) => pc.connectionState !== 'connected')",
                        null, new Page.WaitForFunctionOptions().setTimeout(30_000));
            }
            int[] framesAtCut = new int[pages.length];
            for (int i = 0; i < pages.length; i++) {
                framesAtCut[i] = ((Number) pages[i].evaluate("async () => Object.values(await (" + SELECTED_LOCAL_TYPE + ")())[0].frames")).intValue();
            }
            // A connection that stays disconnected is restarted (new ICE credentials, renegotiated by both sides at
            // once, which perfect negotiation must survive) and tried again until the relay answers.
            for (int i = 0; i < pages.length; i++) {
                pages[i].waitForFunction("before => (" + LOCAL_UFRAG + ")() !== before", ufragBefore[i],
                        new Page.WaitForFunctionOptions().setTimeout(30_000));
            }
            long restarted = System.nanoTime();
            turn.start();
            for (int i = 0; i < pages.length; i++) {
                // 30 frames more is a second of video at the fake camera's 30 fps, through a new allocation.
                Pages.waitUntil(pages[i], RELAYED_AND_DECODED_MORE_THAN, framesAtCut[i] + 30, Duration.ofSeconds(60));
            }
            System.out.printf("relay started again -> video decoded again on both pages: %d ms%n",
                    (System.nanoTime() - restarted) / 1_000_000);
            assertThat(browser.closeUsers()).as("errors in the browser console").isEmpty();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Counts the relay candidates a relay-only connection gathers with these credentials. */
    private static int relayCandidates(Page page, String url, String username, String credential) {
        Object n = page.evaluate("""
                async ([url, username, credential]) => {
                  const pc = new RTCPeerConnection({ iceServers: [{ urls: [url], username, credential }], iceTransportPolicy: 'relay' });
                  let relays = 0;
                  const done = new Promise(resolve => {
                    pc.onicecandidate = e => { if (!e.candidate) resolve(); else if (e.candidate.type === 'relay') relays++; };
                  });
                  pc.createDataChannel('probe');
                  await pc.setLocalDescription();
                  await done;
                  pc.close();
                  return relays;
                }""", java.util.List.of(url, username, credential));
        return ((Number) n).intValue();
    }

    private static String credential(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void a_wrong_or_expired_credential_gets_no_relay() throws Exception {
        try (TurnServer turn = new TurnServer(SECRET, dir.resolve("turn.log"));
             TestServer server = TestServer.start()) {
            Page page = browser.newUser();
            page.navigate(server.url());
            long now = System.currentTimeMillis() / 1000;
            String valid = (now + 600) + ":u_probe";
            String expired = (now - 600) + ":u_probe";
            assertThat(relayCandidates(page, turn.udpUrl(), valid, credential(SECRET, valid))).as("a valid credential").isPositive();
            assertThat(relayCandidates(page, turn.udpUrl(), valid, credential("not-the-secret", valid))).as("a wrong secret").isZero();
            assertThat(relayCandidates(page, turn.udpUrl(), expired, credential(SECRET, expired))).as("an expired credential").isZero();
            assertThat(browser.closeUsers()).as("errors in the browser console").isEmpty();
        }
    }
}
