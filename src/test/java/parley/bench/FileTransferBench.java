package parley.bench;

import com.microsoft.playwright.Page;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import parley.browser.Pages;
import parley.testing.Browser;
import parley.testing.ServerProcess;
import parley.testing.WsClient;

/**
 * MiB/s of file sharing, in Chromium pages against {@code parley serve} in its own process, on loopback:
 * <ul>
 *   <li>{@code p2p}: one page shares a file with one other page in the room; the receiver's time from the
 *       first byte asked for to the SHA-256 checked (bytes written to disk on the way). Once with the
 *       sender's upload to the server blocked (the channel alone), once with it running, as in real use.</li>
 *   <li>{@code upload}: a page alone in its room shares the file; the upload's time, after the hashing.</li>
 *   <li>{@code download}: the JDK HTTP client downloads the stored file with a {@code file_link}.</li>
 * </ul>
 * Prints one JSON line per run. Run with {@code ./parley bench files} (FILE_MB, RUNS to change the defaults).
 */
public final class FileTransferBench {
    private static final int MB = 1024 * 1024;

    /** Records, on the receiving page, when the transfer became active and when its hash was checked. */
    private static final String TIME_RECEIVE = """
            () => { window.bench = {};
              window.parleyFiles.on('changed', (id) => {
                const t = window.parleyFiles.transfersOf(id).find(t => t.role === 'receive');
                if (!t) return;
                if (t.state === 'active' && !window.bench.start) window.bench.start = performance.now();
                if (t.state === 'done' && !window.bench.end) window.bench.end = performance.now();
              }); }""";

    /** Records, on the sharing page, when the upload started (after hashing) and when the server had it all. */
    private static final String TIME_UPLOAD = """
            () => { window.bench = {};
              window.parleyFiles.on('changed', (id) => {
                const s = window.parleyFiles.shares.get(id);
                if (!s) return;
                if (!window.bench.start) window.bench.start = performance.now();
                if (s.upload.state === 'done' && !window.bench.end) window.bench.end = performance.now();
              }); }""";

    /** A bare data channel between two pages, no Parley code: Chromium's own ceiling on this machine. */
    private static final String RAW_OFFER = """
            async () => { const pc = window.rawPc = new RTCPeerConnection();
              const ch = window.rawCh = pc.createDataChannel('raw', {ordered: true}); ch.binaryType = 'arraybuffer';
              await pc.setLocalDescription();
              await new Promise(r => pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
              return pc.localDescription.sdp; }""";
    private static final String RAW_ANSWER = """
            async ([sdp, total]) => { const pc = window.rawPc = new RTCPeerConnection();
              window.rawDone = new Promise(done => pc.ondatachannel = ({channel}) => { channel.binaryType = 'arraybuffer';
                let got = 0, t0 = 0;
                channel.onmessage = ({data}) => { if (!t0) t0 = performance.now(); got += data.byteLength;
                  if (got >= total) done(performance.now() - t0); }; });
              await pc.setRemoteDescription({type: 'offer', sdp}); await pc.setLocalDescription();
              await new Promise(r => pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
              return pc.localDescription.sdp; }""";
    private static final String RAW_SEND = """
            async ([sdp, total, chunk, high]) => { await window.rawPc.setRemoteDescription({type: 'answer', sdp});
              const ch = window.rawCh; if (ch.readyState !== 'open') await new Promise(r => ch.onopen = r);
              const buf = new Uint8Array(chunk); ch.bufferedAmountLowThreshold = high / 4;
              for (let sent = 0; sent < total; sent += chunk) {
                if (ch.bufferedAmount > high - chunk) await new Promise(r => ch.onbufferedamountlow = r);
                ch.send(buf); } }""";

    public static void main(String[] args) throws Exception {
        int fileMb = Integer.parseInt(System.getenv().getOrDefault("FILE_MB", "200"));
        int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
        Path work = Files.createTempDirectory("parley-files-bench");
        Path file = work.resolve("random.bin");
        Random random = new Random(42);
        byte[] block = new byte[MB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < fileMb; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        try (ServerProcess server = ServerProcess.start(work.resolve("data"), ServerProcess.freePort(), work.resolve("server.log"));
             Browser browser = new Browser()) {
            String url = "http://127.0.0.1:" + server.port() + "/";
            List<Double> raw = new ArrayList<>();
            List<Double> alone = new ArrayList<>();
            List<Double> withUpload = new ArrayList<>();
            List<Double> uploads = new ArrayList<>();
            List<Double> downloads = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                raw.add(raw(browser, url, fileMb));
                alone.add(p2p(browser, url, file, fileMb, true));
                withUpload.add(p2p(browser, url, file, fileMb, false));
                String[] stored = upload(browser, url, file, fileMb, uploads);
                downloads.add(download(server.port(), stored[0], stored[1], fileMb));
            }
            summary("bare data channel", raw);
            summary("p2p, upload blocked", alone);
            summary("p2p, upload running", withUpload);
            summary("browser upload", uploads);
            summary("download (JDK client)", downloads);
        }
    }

    private static double raw(Browser browser, String url, int fileMb) {
        Page a = browser.newUser();
        Page b = browser.newUser();
        a.navigate(url);
        b.navigate(url);
        int total = fileMb * MB;
        String offer = (String) a.evaluate(RAW_OFFER);
        String answer = (String) b.evaluate(RAW_ANSWER, List.of(offer, total));
        a.evaluate(RAW_SEND, List.of(answer, total, 64 * 1024, 8 * MB));
        double ms = ((Number) b.evaluate("() => window.rawDone")).doubleValue();
        browser.closeUsers();
        double mbps = fileMb / (ms / 1000);
        System.out.printf(Locale.ROOT, "{\"scenario\":\"files\",\"bench\":\"raw\",\"mb\":%d,\"ms\":%.0f,\"MiBps\":%.1f}%n", fileMb, ms, mbps);
        return mbps;
    }

    private static double p2p(Browser browser, String url, Path file, int fileMb, boolean blockUpload) {
        Page ada = Pages.enter(browser.newUser(), url, "Ada");
        Page grace = Pages.enter(browser.newUser(), url, "Grace");
        if (blockUpload) ada.route("**/files/**", route -> route.abort());
        grace.evaluate(TIME_RECEIVE);
        ada.locator("#file-input").setInputFiles(file);
        Pages.waitUntil(grace, "() => window.bench.end !== undefined", null, java.time.Duration.ofMinutes(5));
        double ms = ((Number) grace.evaluate("() => window.bench.end - window.bench.start")).doubleValue();
        browser.closeUsers();
        double mbps = fileMb / (ms / 1000);
        System.out.printf(Locale.ROOT, "{\"scenario\":\"files\",\"bench\":\"p2p\",\"uploadBlocked\":%s,\"mb\":%d,\"ms\":%.0f,\"MiBps\":%.1f}%n",
                blockUpload, fileMb, ms, mbps);
        return mbps;
    }

    /** Returns the room and file id of the stored file. */
    private static String[] upload(Browser browser, String url, Path file, int fileMb, List<Double> out) {
        Page ada = Pages.enter(browser.newUser(), url, "Ada");
        ada.evaluate(TIME_UPLOAD);
        ada.locator("#file-input").setInputFiles(file);
        try {
            Pages.waitUntil(ada, "() => window.bench.end !== undefined", null, java.time.Duration.ofMinutes(2));
        } catch (AssertionError e) {
            throw new AssertionError("the upload did not finish: " + ada.evaluate("() => JSON.stringify({bench: window.bench,"
                    + " status: document.querySelector('#file-status').textContent,"
                    + " uploads: [...window.parleyFiles.shares.values()].map(s => s.upload)})"), e);
        }
        double ms = ((Number) ada.evaluate("() => window.bench.end - window.bench.start")).doubleValue();
        @SuppressWarnings("unchecked")
        Map<String, Object> share = (Map<String, Object>) ada.evaluate(
                "() => { const s = [...window.parleyFiles.shares.values()].at(-1); return {room: s.roomId, id: s.fileId}; }");
        browser.closeUsers();
        double mbps = fileMb / (ms / 1000);
        System.out.printf(Locale.ROOT, "{\"scenario\":\"files\",\"bench\":\"upload\",\"mb\":%d,\"ms\":%.0f,\"MiBps\":%.1f}%n", fileMb, ms, mbps);
        out.add(mbps);
        return new String[] {(String) share.get("room"), (String) share.get("id")};
    }

    private static double download(int port, String room, String fileId, int fileMb) throws Exception {
        try (WsClient c = WsClient.hello(port, "Bench")) {
            c.send("join", "room", room);
            c.expect("joined");
            c.send("file_link", "ref", "l", "room", room, "file", fileId);
            String link = c.expect("file_link").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            long t0 = System.nanoTime();
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + link)).build(),
                    HttpResponse.BodyHandlers.discarding());
            double ms = (System.nanoTime() - t0) / 1e6;
            if (r.statusCode() != 200) throw new IllegalStateException("download answered " + r.statusCode());
            double mbps = fileMb / (ms / 1000);
            System.out.printf(Locale.ROOT, "{\"scenario\":\"files\",\"bench\":\"download\",\"mb\":%d,\"ms\":%.0f,\"MiBps\":%.1f}%n", fileMb, ms, mbps);
            return mbps;
        }
    }

    private static void summary(String what, List<Double> mbps) {
        List<Double> sorted = mbps.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%-24s median %.1f MiB/s (min %.1f, max %.1f, %d runs)%n", what,
                sorted.get(sorted.size() / 2), sorted.getFirst(), sorted.getLast(), sorted.size());
    }
}
