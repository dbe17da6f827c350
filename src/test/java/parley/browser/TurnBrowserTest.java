package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import parley.testing.Browser;
import parley.testing.TestServer;
import parley.testing.TurnServer;

/** Calls through coturn only ({@code ice-relay-only}), with the credentials Parley hands out. */
@Tag("browser")
class TurnBrowserTest {
    private static final String SECRET = "turn-test-secret";
    private static Browser browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void launch() {
        browser = new Browser();
    }

    @AfterAll
    static void quit() {
        browser.close();
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

    @Test
    void two_people_whose_browsers_may_only_use_the_relay_see_each_other_through_coturn() throws Exception {
        try (TurnServer turn = new TurnServer(SECRET, dir.resolve("turn.log"));
             TestServer server = TestServer.start("--turn-urls", turn.udpUrl(), "--turn-secret", SECRET, "--ice-relay-only", "true")) {
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
                page.waitForFunction("async () => { const s = await (" + SELECTED_LOCAL_TYPE + ")();"
                                + " const v = Object.values(s); return v.length === 1 && v[0].type === 'relay' && v[0].frames > 0; }",
                        null, new Page.WaitForFunctionOptions().setTimeout(45_000).setPollingInterval(250));
            }
            // coturn writes its log a little after the fact: wait for the allocation to show.
            Path log = dir.resolve("turn.log");
            pages[0].waitForCondition(() -> read(log).contains("ALLOCATE"),
                    new Page.WaitForConditionOptions().setTimeout(15_000));
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
