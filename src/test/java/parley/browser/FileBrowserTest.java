package parley.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import parley.testing.WsClient;

/** Files shared in a room, in Chromium: peer to peer with progress, cut and resumed, and from the room later. */
class FileBrowserTest extends BrowserTestBase {
    private static final int MB = 1024 * 1024;

    /** The receiving or sending transfer of a file on this page, as JSON: state, bytes, startedFrom, interruptions, why. */
    private static final String TRANSFER = """
            ([id, role]) => { const t = window.parleyFiles.transfersOf(id).find(t => t.role === role);
                      return t ? JSON.stringify({state: t.state, bytes: t.bytes, startedFrom: t.startedFrom,
                                                 interruptions: t.interruptions, why: t.why}) : null; }""";

    /** Every status line a file card showed on this page, as it changed. */
    private static final String RECORD_STATUS = """
            () => { window.statusSeen = [];
                    new MutationObserver(() => document.querySelectorAll('.file-card .file-status')
                        .forEach(s => { if (window.statusSeen.at(-1) !== s.textContent) window.statusSeen.push(s.textContent); }))
                      .observe(document.body, {subtree: true, childList: true, characterData: true}); }""";

    @TempDir
    Path dir;

    private Page enter(String name) {
        return Pages.enter(browser.newUser(), server.url(), name);
    }

    private Path randomFile(String name, int size, long seed) throws IOException {
        Path file = dir.resolve(name);
        Random random = new Random(seed);
        byte[] block = new byte[MB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                out.write(block, 0, Math.min(left, block.length));
            }
        }
        return file;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[MB];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Picks the file in the composer; returns the id of the file message that appears. */
    private static String share(Page page, Path file) {
        int before = page.locator(".file-card").count();
        page.locator("#file-input").setInputFiles(file);
        Locator card = page.locator(".file-card[data-state=sharing]").nth(before);
        assertThat(card).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(60_000));
        return card.getAttribute("data-file-id");
    }

    private static Locator card(Page page, String fileId) {
        return page.locator(".file-card[data-file-id='" + fileId + "']");
    }

    /** Waits for the file's card to reach {@code state}; if it does not, says where the card and its transfers stand. */
    private static void awaitState(Page page, String fileId, String state, Duration timeout) {
        try {
            Pages.waitUntil(page, "([id, state]) => document.querySelector(`.file-card[data-file-id='${id}']`)?.dataset.state === state",
                    List.of(fileId, state), timeout);
        } catch (AssertionError e) {
            throw new AssertionError("the card: " + page.evaluate("(id) => { const c = document.querySelector(`.file-card[data-file-id='${id}']`);"
                    + " return JSON.stringify({state: c?.dataset.state, status: c?.querySelector('.file-status')?.textContent,"
                    + " transfers: window.parleyFiles.transfersOf(id).map(t => ({role: t.role, state: t.state, peer: t.peer?.name,"
                    + " bytes: t.bytes, size: t.size, attempt: t.attempt, why: t.why, pc: t.pc?.connectionState, channel: t.channel?.readyState}))}); }", fileId), e);
        }
    }

    /**
     * Runs {@code action} on the page (with {@code t}, the receiving transfer, and {@code id} in scope) as soon as
     * more than {@code fraction} of the file has arrived, in the same turn as that check.
     */
    private static void whileReceiving(Page page, String fileId, double fraction, String action) {
        Pages.waitUntil(page, "([id, fraction]) => { const t = window.parleyFiles.transfersOf(id).find(t => t.role === 'receive');"
                + " if (!t || t.state !== 'active' || t.bytes <= t.size * fraction) return false; " + action + " return true; }",
                List.of(fileId, fraction), Duration.ofSeconds(60));
    }

    private static Map<?, ?> transfer(Page page, String fileId, String role) throws Exception {
        return new ObjectMapper().readValue((String) page.evaluate(TRANSFER, List.of(fileId, role)), Map.class);
    }

    private static List<Long> startedFrom(Map<?, ?> transfer) {
        return ((List<?>) transfer.get("startedFrom")).stream().map(n -> ((Number) n).longValue()).toList();
    }

    /** Clicks the card's button (Save or Download) and returns where the browser's download was saved. */
    private Path download(Page page, String fileId, String action, String as) {
        Download d = page.waitForDownload(() -> card(page, fileId).locator("button[data-action=" + action + "]").click());
        assertThat(d.failure()).isNull();
        Path out = dir.resolve(as);
        d.saveAs(out);
        return out;
    }

    @Test
    void a_50_mb_file_goes_peer_to_peer_to_two_people_at_once_with_progress_and_arrives_intact() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        Page linus = enter("Linus");
        grace.evaluate(RECORD_STATUS);
        linus.evaluate(RECORD_STATUS);
        Path file = randomFile("random.bin", 50 * MB, 1);

        long t0 = System.nanoTime();
        String id = share(ada, file);
        awaitState(grace, id, "done", Duration.ofSeconds(120));
        long graceMs = (System.nanoTime() - t0) / 1_000_000;
        awaitState(linus, id, "done", Duration.ofSeconds(120));
        System.out.printf("50 MB shared to two people at once: Grace had it checked after %d ms%n", graceMs);

        String expected = sha256(file);
        assertThat(sha256(download(grace, id, "save", "grace.bin"))).isEqualTo(expected);
        assertThat(sha256(download(linus, id, "save", "linus.bin"))).isEqualTo(expected);
        assertThat(card(grace, id).locator(".file-status")).hasText("Received; its SHA-256 matches.");
        assertThat(grace.evaluate("(id) => window.parleyFiles.transfersOf(id)[0].sink.onDisk", id))
                .as("written to the private file system, not held in memory").isEqualTo(true);
        assertThat(card(ada, id).locator(".file-status")).containsText("Grace: received, SHA-256 checked");
        assertThat(card(ada, id).locator(".file-status")).containsText("Linus: received, SHA-256 checked");

        // Progress, as each receiver saw it: percentages on the way, with a speed.
        for (Page p : List.of(grace, linus)) {
            @SuppressWarnings("unchecked")
            List<String> seen = (List<String>) p.evaluate("() => window.statusSeen");
            List<String> midway = seen.stream().filter(s -> s.matches("(?s)From Ada: ([1-9]|[1-9][0-9])% · .*/s")).toList();
            assertThat(midway).as("status lines seen: " + seen).hasSizeGreaterThanOrEqualTo(2);
        }
        // Kept in the room too.
        assertThat(card(ada, id).locator(".file-status")).containsText("Kept in the room.", new LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
    }

    @Test
    void a_transfer_cut_in_the_middle_resumes_from_where_it_stopped_and_arrives_intact() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        Path file = randomFile("cut.bin", 50 * MB, 2);

        String id = share(ada, file);
        // Cut once a tenth has arrived, in the same turn as the check, so that it is really mid-transfer.
        whileReceiving(grace, id, 0.1, "window.cutAt = t.bytes; window.parleyFiles.dropConnections(id);");
        long cutAt = ((Number) grace.evaluate("() => window.cutAt")).longValue();
        assertThat(cutAt).isBetween(5L * MB, 50L * MB - 1);

        awaitState(grace, id, "done", Duration.ofSeconds(120));
        Map<?, ?> receiving = transfer(grace, id, "receive");
        Map<?, ?> sending = transfer(ada, id, "send");
        String story = "receiver " + receiving + ", sender " + sending;
        // However many connections it took (a slow machine may need a second try), each one after the
        // cut started from where the receiver had got to, on both sides; the last one carried the rest.
        List<Long> asked = startedFrom(receiving);
        List<Long> sent = startedFrom(sending);
        assertThat(asked).as("the receiver asked from 0, then from where it got to: " + story).hasSizeGreaterThanOrEqualTo(2);
        assertThat(asked.getFirst()).as(story).isZero();
        assertThat(asked.subList(1, asked.size())).as(story).allSatisfy(from -> assertThat(from).isGreaterThanOrEqualTo(cutAt));
        assertThat(sent).as("the sender started again from that byte, not from 0: " + story).hasSizeGreaterThanOrEqualTo(2);
        assertThat(sent.getFirst()).as(story).isZero();
        assertThat(sent.subList(1, sent.size())).as(story).allSatisfy(from -> assertThat(asked).contains(from));
        assertThat(sent.getLast()).as(story).isEqualTo(asked.getLast());
        assertThat(sha256(download(grace, id, "save", "resumed.bin"))).isEqualTo(sha256(file));
    }

    /** A photo-like JPEG: a gradient with a diagonal, so that a thumbnail of it is not empty. */
    private Path picture(String name, int width, int height) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | (x == y ? 255 : 64));
        }
        Path file = dir.resolve(name);
        javax.imageio.ImageIO.write(image, "jpg", file.toFile());
        return file;
    }

    @Test
    void a_picture_shows_a_thumbnail_to_everyone_and_opens_full_size_and_other_files_say_their_kind() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        Path photo = picture("<img src=x onerror=window.pwned=1>.jpg", 1600, 1200);
        String id = share(ada, photo);
        awaitState(ada, id, "sharing", Duration.ofSeconds(5));
        assertThat(card(ada, id).locator(".file-status")).containsText("Kept in the room.", new LocatorAssertions.ContainsTextOptions().setTimeout(60_000));

        // Grace's card shows the thumbnail (decoded, at most 320 px wide), and says the name as text.
        Locator thumb = card(grace, id).locator("button.file-preview img");
        assertThat(thumb).isVisible();
        Pages.waitUntil(grace, "(id) => document.querySelector(`.file-card[data-file-id='${id}'] .file-preview img`)?.naturalWidth > 0", id, Duration.ofSeconds(10));
        assertThat(thumb.getAttribute("src")).startsWith("data:image/");
        assertThat(((Number) thumb.evaluate("img => img.getBoundingClientRect().width")).doubleValue()).isBetween(100.0, 320.0);
        assertThat(card(grace, id).locator(".file-name")).hasText("<img src=x onerror=window.pwned=1>.jpg");
        assertThat(card(grace, id).locator(".file-kind")).hasText("Image");

        // Someone who comes later sees it too (from history), and opens the full picture from the room.
        Page linus = enter("Linus");
        card(linus, id).locator("button.file-preview").click();
        assertThat(linus.locator("#viewer-screen")).isVisible();
        assertThat(linus.locator("#viewer-name")).hasText("<img src=x onerror=window.pwned=1>.jpg");
        Pages.waitUntil(linus, "() => { const i = document.getElementById('viewer-image');"
                + " return i.src.startsWith('blob:') && i.complete && i.naturalWidth === 1600 && i.naturalHeight === 1200; }", null, Duration.ofSeconds(15));
        assertThat(linus.locator("#viewer-note")).isEmpty();
        linus.keyboard().press("Escape");
        assertThat(linus.locator("#viewer-screen")).isHidden();
        assertThat(card(linus, id).locator("button.file-preview")).isFocused();

        // A file that is not a picture has no preview and says what it is.
        Path pdf = randomFile("minutes.pdf", 2000, 5);
        String pdfId = share(ada, pdf);
        assertThat(card(grace, pdfId).locator(".file-kind")).hasText("PDF");
        assertThat(card(grace, pdfId).locator(".file-preview")).hasCount(0);
        for (Page p : List.of(ada, grace, linus)) assertThat(p.evaluate("() => window.pwned === undefined")).isEqualTo(true);
    }

    @Test
    void someone_who_comes_later_downloads_the_file_from_the_room() throws Exception {
        Page ada = enter("Ada");
        Path file = randomFile("report.pdf", 5 * MB + 123, 3);
        String id = share(ada, file);
        assertThat(card(ada, id).locator(".file-status")).hasText("Kept in the room.");

        Page grace = enter("Grace");
        awaitState(grace, id, "stored", Duration.ofSeconds(15));
        assertThat(card(grace, id).locator(".file-name")).hasText("report.pdf");
        Path got = download(grace, id, "download", "later.pdf");
        assertThat(sha256(got)).isEqualTo(sha256(file));
    }

    @Test
    void a_receiver_who_cancels_stops_the_transfer_on_both_sides_and_can_still_download_from_the_room() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        Path file = randomFile("big.bin", 50 * MB, 4);
        String id = share(ada, file);
        whileReceiving(grace, id, 0, "window.parleyFiles.cancel(id);");
        awaitState(grace, id, "cancelled", Duration.ofSeconds(5));
        Pages.waitUntil(ada, "(id) => window.parleyFiles.transfersOf(id).find(t => t.role === 'send')?.state === 'cancelled'",
                id, Duration.ofSeconds(15));
        assertThat(card(ada, id).locator(".file-status")).containsText("Grace: stopped (Grace cancelled)");

        // The room still has it, once Ada's upload is in.
        awaitUploaded(ada, id);
        Locator download = card(grace, id).locator("button[data-action=download]");
        assertThat(download).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(60_000));
        assertThat(sha256(download(grace, id, "download", "after-cancel.bin"))).isEqualTo(sha256(file));
    }

    @Test
    void a_file_shared_during_a_call_leaves_the_call_connected_unrenegotiated_and_decoding() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        for (Page p : List.of(ada, grace)) {
            p.locator("#call-join").click();
            assertThat(p.locator("#call-tiles .tile.self")).isVisible();
        }
        String anyFrames = "async () => Object.values(await (" + Pages.FRAMES_DECODED + ")()).some(f => f > 0)";
        Pages.waitUntil(grace, anyFrames, null, Duration.ofSeconds(30));
        String callSdp = "() => window.parleyCall.peers().map(([s, pc]) => pc.connectionState + pc.localDescription.sdp + pc.remoteDescription.sdp).join()";
        String before = (String) grace.evaluate(callSdp);
        Path file = randomFile("during-call.bin", 20 * MB, 5);

        String id = share(ada, file);
        whileReceiving(grace, id, 0, "");
        int framesAtStart = framesFromAnyone(grace);
        awaitState(grace, id, "done", Duration.ofSeconds(90));
        int framesAtEnd = framesFromAnyone(grace);

        assertThat(framesAtEnd - framesAtStart).as("video frames decoded while the file came").isGreaterThanOrEqualTo(10);
        assertThat((String) grace.evaluate(callSdp)).as("the call's connection: still connected, never renegotiated").isEqualTo(before);
        assertThat(before).startsWith("connected");
        assertThat(sha256(download(grace, id, "save", "during-call.bin"))).isEqualTo(sha256(file));
    }

    @Test
    void a_sender_who_stops_stops_every_receiver() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        Path file = randomFile("stopped.bin", 50 * MB, 6);
        String id = share(ada, file);
        whileReceiving(grace, id, 0, "");
        card(ada, id).locator("button[data-action=cancel]").click();
        awaitState(grace, id, "cancelled", Duration.ofSeconds(15));
        assertThat(card(grace, id).locator(".file-status")).hasText("Stopped: Ada stopped sending.");
        assertThat(card(ada, id).locator(".file-status")).containsText("Grace: stopped (you cancelled)");
    }

    @Test
    void when_the_sender_closes_the_page_mid_transfer_the_receiver_stops_waiting() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        String id = share(ada, randomFile("left.bin", 50 * MB, 8));
        whileReceiving(grace, id, 0, "");
        ada.close();
        awaitState(grace, id, "failed", Duration.ofSeconds(15));
        assertThat(card(grace, id).locator(".file-status")).hasText("Failed: Ada left.");
    }

    @Test
    void an_offer_for_a_file_from_anyone_but_its_sender_is_ignored() throws Exception {
        Page ada = enter("Ada");
        Page grace = enter("Grace");
        String id = share(ada, randomFile("mine.bin", MB, 7));
        awaitState(grace, id, "done", Duration.ofSeconds(60));
        String room = (String) grace.evaluate("(id) => window.parleyFiles.transfersOf(id)[0].roomId", id);
        try (WsClient mallory = WsClient.hello(server.port(), "Mallory")) {
            mallory.send("join", "room", room);
            mallory.expect("joined");
            String to = (String) grace.evaluate("() => [...document.querySelectorAll('#members li[data-session-id]')]"
                    + ".find(li => li.textContent.includes('Grace')).dataset.sessionId");
            mallory.send("file_signal", "room", room, "to", to, "file", id, "description", Map.of("type", "offer",
                    "sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
            // Once Mallory's next chat message is shown, the signal before it has been handled.
            mallory.send("send", "room", room, "clientId", "after-offer", "text", "did it work?");
            assertThat(grace.locator("#messages .message[data-seq]").last().locator(".text")).hasText("did it work?");
            assertThat(grace.evaluate("(id) => window.parleyFiles.transfersOf(id).map(t => t.peer.name).join()", id))
                    .as("Grace's transfers of Ada's file").isEqualTo("Ada");
        }
    }

    /** Waits until the sharing page's upload of the file is complete; says where it stands if it is not. */
    private static void awaitUploaded(Page sharer, String fileId) {
        try {
            Pages.waitUntil(sharer, "(id) => window.parleyFiles.shares.get(id)?.upload.state === 'done'", fileId, Duration.ofSeconds(60));
        } catch (AssertionError e) {
            throw new AssertionError("the upload: " + sharer.evaluate(
                    "(id) => { const u = window.parleyFiles.shares.get(id)?.upload; return JSON.stringify({...u, xhr: u?.xhr?.readyState}); }", fileId), e);
        }
    }

    private static int framesFromAnyone(Page page) {
        Map<?, ?> frames = (Map<?, ?>) page.evaluate(Pages.FRAMES_DECODED);
        return frames.values().stream().mapToInt(v -> ((Number) v).intValue()).sum();
    }
}
