package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Files kept in a room: declared by a file message, uploaded by HTTP, downloaded by members with a link. */
class FileSharingTest {
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();
    // The JDK client asks for h2c by default; the server answers in HTTP/1.1, as to browsers.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private WsClient person(String name) {
        WsClient c = server.hello(name);
        clients.add(c);
        return c;
    }

    private static String join(WsClient c, String room) {
        c.send("join", "room", room);
        return c.expect("joined").at("/room/id").asText();
    }

    private String newRoom(WsClient c, String name) {
        c.send("create_room", "name", name);
        return c.expect("room_added").at("/room/id").asText();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Sends a file message and returns the message the room receives. */
    private static JsonNode share(WsClient c, String room, String name, long size, String type, String sha) {
        c.send("send", "room", room, "clientId", "c-" + System.nanoTime(),
                "file", Map.of("name", name, "size", size, "type", type, "sha256", sha));
        JsonNode ack = c.expect("ack");
        JsonNode message = c.expect("message");
        assertThat(ack.at("/file/id").asText()).as("the ack names the file").isEqualTo(message.at("/file/id").asText());
        return message;
    }

    private HttpResponse<String> upload(String fileId, String cookie, byte[] body) throws Exception {
        return upload(fileId, cookie, body, false);
    }

    /** {@code expectContinue}: send {@code Expect: 100-continue} and the body only once the server says so. */
    private HttpResponse<String> upload(String fileId, String cookie, byte[] body, boolean expectContinue) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "files/" + fileId))
                .timeout(Duration.ofSeconds(60))
                .expectContinue(expectContinue)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (cookie != null) b.header("Cookie", cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> download(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + url.replaceFirst("^/", "")))
                        .timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private List<Path> storedFiles() throws IOException {
        try (Stream<Path> all = Files.walk(server.dataDir().resolve("files"))) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void a_file_shared_in_a_room_is_uploaded_once_and_a_member_who_comes_later_downloads_the_same_bytes() throws Exception {
        server = TestServer.start();
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "files"));
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(bytes);
        JsonNode message = share(ada, room, "report.pdf", bytes.length, "application/pdf", sha256(bytes));
        JsonNode file = message.get("file");
        assertThat(file.get("name").asText()).isEqualTo("report.pdf");
        assertThat(file.get("size").asLong()).isEqualTo(bytes.length);
        assertThat(file.get("stored").asBoolean()).isFalse();
        String id = file.get("id").asText();

        ada.send("file_link", "ref", "l0", "room", room, "file", id);
        ada.expectError("not_uploaded");

        HttpResponse<String> stored = upload(id, ada.cookie(), bytes);
        assertThat(stored.statusCode()).isEqualTo(201);
        assertThat(stored.version()).as("no h2c upgrade").isEqualTo(HttpClient.Version.HTTP_1_1);
        ada.expect("file_stored");
        assertThat(upload(id, ada.cookie(), bytes).statusCode()).as("a second upload, still sending when refused").isEqualTo(409);
        assertThat(upload(id, ada.cookie(), bytes, true).statusCode()).as("a second upload that waits to be asked").isEqualTo(409);

        WsClient grace = person("Grace");
        join(grace, room);
        grace.send("history", "ref", "h", "room", room);
        JsonNode seen = grace.expect("history").at("/messages/0/file");
        assertThat(seen.get("stored").asBoolean()).isTrue();
        grace.send("file_link", "ref", "l1", "room", room, "file", id);
        String url = grace.expect("file_link").get("url").asText();
        HttpResponse<byte[]> got = download(url);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(sha256(got.body())).isEqualTo(sha256(bytes));
        assertThat(got.headers().firstValue("Content-Disposition")).hasValue("attachment; filename*=UTF-8''report.pdf");
        assertThat(got.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(storedFiles()).extracting(p -> p.getFileName().toString()).containsExactly(id);
    }

    @Test
    void a_picture_shared_with_a_preview_shows_it_live_in_history_and_after_a_reconnect_and_a_false_preview_is_refused() {
        server = TestServer.start();
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "pictures"));
        // The smallest PNG there is: its signature and nothing else is enough for the check, which reads the start.
        String png = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        Map<String, Object> preview = Map.of("image", png, "width", 4032, "height", 3024);
        ada.send("send", "room", room, "clientId", "p1",
                "file", Map.of("name", "cat.jpg", "size", 12345, "type", "image/jpeg", "sha256", "a".repeat(64), "preview", preview));
        ada.expect("ack");
        JsonNode live = ada.expect("message").at("/file/preview");
        assertThat(live.get("image").asText()).isEqualTo(png);
        assertThat(live.get("width").asInt()).isEqualTo(4032);
        assertThat(live.get("height").asInt()).isEqualTo(3024);

        WsClient grace = person("Grace");
        join(grace, room);
        grace.send("history", "ref", "h", "room", room);
        assertThat(grace.expect("history").at("/messages/0/file/preview")).isEqualTo(live);
        grace.send("join", "room", room, "since", 0);
        grace.expect("joined");
        assertThat(grace.expect("message").at("/file/preview")).as("catch-up").isEqualTo(live);

        // An SVG (which can hold script), bytes that are not what the URL says, or no size: refused, nothing stored.
        String svg = "data:image/svg+xml;base64," + java.util.Base64.getEncoder().encodeToString("<svg/>".getBytes());
        String jpegSaysPng = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0});
        String tooBig = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(
                java.util.Arrays.copyOf(java.util.Base64.getDecoder().decode(png.substring(png.indexOf(',') + 1)), 32 * 1024 + 1));
        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("image", svg, "width", 10, "height", 10),
                Map.of("image", jpegSaysPng, "width", 10, "height", 10),
                Map.of("image", tooBig, "width", 10, "height", 10),
                Map.of("image", png, "width", 10),
                Map.of("image", png, "width", 0, "height", 10))) {
            ada.send("send", "ref", "bad", "room", room, "clientId", "p2",
                    "file", Map.of("name", "x.png", "size", 1, "type", "image/png", "sha256", "b".repeat(64), "preview", bad));
            assertThat(ada.expectError("bad_message").get("message").asText()).as(bad.toString()).contains("file.preview");
        }
        grace.send("history", "ref", "h2", "room", room);
        assertThat(grace.expect("history").get("messages")).hasSize(1);
    }

    @Test
    void a_file_over_the_limit_is_refused_and_an_upload_longer_than_declared_leaves_nothing_on_disk() throws Exception {
        server = TestServer.start("--max-upload-bytes", "1000");
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "limits"));
        String sha = sha256(new byte[10]);
        ada.send("send", "ref", "big", "room", room, "clientId", "c1",
                "file", Map.of("name", "big.bin", "size", 1001, "type", "", "sha256", sha));
        ada.expectError("too_large");

        String id = share(ada, room, "small.bin", 10, "", sha).at("/file/id").asText();
        HttpResponse<String> tooLong = upload(id, ada.cookie(), new byte[2000]);
        assertThat(tooLong.statusCode()).isEqualTo(413);
        HttpResponse<String> wrongBytes = upload(id, ada.cookie(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertThat(wrongBytes.statusCode()).isEqualTo(422);
        assertThat(wrongBytes.body()).contains("SHA-256");
        assertThat(storedFiles()).as("nothing kept").isEmpty();
        assertThat(upload(id, ada.cookie(), new byte[10], true).statusCode()).as("with Expect: 100-continue").isEqualTo(201);
    }

    /** The upload table of protocol.md, row by row, for the cases the test above does not make. */
    @Test
    void each_refused_upload_gets_the_status_the_protocol_gives_it_and_leaves_nothing_on_disk() throws Exception {
        server = TestServer.start();
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "statuses"));
        byte[] bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        String id = share(ada, room, "ten.bin", 10, "", sha256(bytes)).at("/file/id").asText();

        assertThat(upload("not-a-file-id", ada.cookie(), bytes).statusCode()).as("an id the server never makes").isEqualTo(404);
        assertThat(upload(id, ada.cookie(), new byte[5]).statusCode()).as("Content-Length of fewer bytes than declared").isEqualTo(413);
        assertThat(uploadChunked(id, ada.cookie(), new byte[5]).statusCode()).as("a chunked body of fewer bytes").isEqualTo(400);
        assertThat(uploadChunked(id, ada.cookie(), new byte[11]).statusCode()).as("a chunked body of more bytes").isEqualTo(413);
        assertThat(storedFiles()).as("nothing kept").isEmpty();
        assertThat(uploadChunked(id, ada.cookie(), bytes).statusCode()).as("chunked, the declared bytes").isEqualTo(201);
        assertThat(upload(id, ada.cookie(), bytes).statusCode()).as("again").isEqualTo(409);
    }

    /** An upload without Content-Length: the body goes chunked. */
    private HttpResponse<String> uploadChunked(String fileId, String cookie, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + "files/" + fileId))
                .timeout(Duration.ofSeconds(60))
                .header("Cookie", cookie)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void names_with_folders_or_nul_are_only_shown_and_the_disk_uses_server_made_names() throws Exception {
        server = TestServer.start();
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "names"));
        byte[] bytes = {42};
        String[][] cases = {{"../../etc/passwd", "passwd"}, {"/tmp/x.sh", "x.sh"}, {"C:\\Windows\\evil.exe", "evil.exe"},
                {"a\u0000b.txt", "a_b.txt"}, {"..", "file"}};
        for (String[] c : cases) {
            JsonNode file = share(ada, room, c[0], 1, "text/html", sha256(bytes)).get("file");
            assertThat(file.get("name").asText()).isEqualTo(c[1]);
            assertThat(upload(file.get("id").asText(), ada.cookie(), bytes).statusCode()).isEqualTo(201);
        }
        assertThat(storedFiles()).hasSize(cases.length)
                .allSatisfy(p -> assertThat(p.getFileName().toString()).matches("f_[0-9a-z]+"))
                .allSatisfy(p -> assertThat(p.getParent()).isEqualTo(server.dataDir().resolve("files")));
    }

    @Test
    void only_the_sender_uploads_and_only_a_member_gets_a_link_which_cannot_be_forged() throws Exception {
        server = TestServer.start();
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "private-ish"));
        byte[] bytes = {1, 2, 3};
        String id = share(ada, room, "a.bin", 3, "", sha256(bytes)).at("/file/id").asText();
        WsClient mallory = person("Mallory");
        assertThat(upload(id, mallory.cookie(), bytes).statusCode()).as("someone else's upload").isEqualTo(404);
        assertThat(upload(id, null, bytes).statusCode()).as("not signed in").isEqualTo(401);
        assertThat(upload(id, ada.cookie(), bytes).statusCode()).isEqualTo(201);

        mallory.send("file_link", "ref", "m", "room", room, "file", id);
        mallory.expectError("not_joined");
        String other = join(mallory, newRoom(mallory, "elsewhere"));
        mallory.send("file_link", "ref", "m2", "room", other, "file", id);
        mallory.expectError("no_such_file");

        ada.send("file_link", "ref", "a", "room", room, "file", id);
        String url = ada.expect("file_link").get("url").asText();
        assertThat(download(url).statusCode()).isEqualTo(200);
        String forged = url.replaceFirst("sig=[0-9a-f]", "sig=" + (url.contains("sig=0") ? "1" : "0"));
        assertThat(download(forged).statusCode()).isEqualTo(403);
        String longer = url.replaceFirst("exp=\\d+", "exp=" + Long.MAX_VALUE);
        assertThat(download(longer).statusCode()).as("a link whose expiry was pushed back").isEqualTo(403);
        assertThat(download("/files/" + id).statusCode()).as("no link at all").isEqualTo(403);
    }

    @Test
    void file_signalling_reaches_another_member_of_the_room_outside_any_call_and_nobody_else() {
        server = TestServer.start("--turn-urls", "turn:127.0.0.1:3478", "--turn-secret", "s3cret");
        WsClient ada = person("Ada");
        String room = join(ada, newRoom(ada, "p2p"));
        WsClient grace = person("Grace");
        join(grace, room);
        WsClient mallory = person("Mallory");
        join(mallory, newRoom(mallory, "elsewhere"));
        String id = share(ada, room, "a.bin", 3, "", "0".repeat(64)).at("/file/id").asText();

        ada.send("file_signal", "room", room, "to", grace.sessionId(), "file", id,
                "candidate", Map.of("candidate", "candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host", "sdpMid", "0"));
        JsonNode got = grace.expect("file_signal");
        assertThat(got.at("/from/sessionId").asText()).isEqualTo(ada.sessionId());
        assertThat(got.at("/from/userId").asText()).isEqualTo(ada.userId());
        assertThat(got.get("file").asText()).isEqualTo(id);
        assertThat(got.at("/candidate/sdpMid").asText()).isEqualTo("0");
        grace.send("file_signal", "room", room, "to", ada.sessionId(), "file", id, "want", 65536);
        assertThat(ada.expect("file_signal").get("want").asLong()).isEqualTo(65536);
        grace.send("file_signal", "room", room, "to", ada.sessionId(), "file", id, "cancel", true);
        JsonNode cancel = ada.expect("file_signal");
        assertThat(cancel.get("cancel").asBoolean()).isTrue();
        assertThat(cancel.has("want")).isFalse();

        int before = mallory.mark();
        ada.send("file_signal", "ref", "out", "room", room, "to", mallory.sessionId(), "file", id, "want", 0);
        ada.expectError("no_such_participant");
        mallory.send("file_signal", "ref", "in", "room", room, "to", ada.sessionId(), "file", id, "want", 0);
        mallory.expectError("not_joined");
        assertThat(mallory.receivedSince(before, "file_signal")).isEmpty();
        ada.send("file_signal", "ref", "two", "room", room, "to", grace.sessionId(), "file", id, "want", 0,
                "candidate", Map.of("candidate", ""));
        ada.expectError("bad_message");
        ada.send("file_signal", "ref", "neg", "room", room, "to", grace.sessionId(), "file", id, "want", -1);
        ada.expectError("bad_message");
        ada.send("file_signal", "ref", "no", "room", room, "to", grace.sessionId(), "file", id, "cancel", false);
        ada.expectError("bad_message");

        ada.send("ice_servers", "ref", "i");
        JsonNode ice = ada.expect("ice_servers");
        assertThat(ice.at("/iceServers/0/urls/0").asText()).isEqualTo("turn:127.0.0.1:3478");
        assertThat(ice.at("/iceServers/0/username").asText()).endsWith(":" + ada.userId());
        assertThat(ice.get("iceTransportPolicy").asText()).isEqualTo("all");
    }
}
