package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.TestAccounts;
import parley.testing.Await;
import parley.testing.TestServer;
import parley.testing.WsClient;

/**
 * What one machine can hold of the server's connections (each an open file): a body that never comes,
 * more connections than an address may have, more than the server may have. Each test attacks from
 * loopback addresses of its own (127.0.0.x), as other machines would come, with small limits.
 */
class ConnectionLimitsTest {
    private static final int PER_ADDRESS = 20;
    private static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);
    private TestServer server;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() {
        sockets.forEach(ConnectionLimitsTest::close);
        if (server != null) server.close();
    }

    private void start(String... more) {
        List<String> args = new ArrayList<>(List.of("--max-connections-per-address", String.valueOf(PER_ADDRESS),
                "--request-body-timeout", String.valueOf(BODY_TIMEOUT.toSeconds())));
        args.addAll(List.of(more));
        server = TestServer.start(args.toArray(String[]::new));
    }

    @Test
    void a_request_whose_body_stops_coming_is_closed_after_the_body_timeout_and_a_finished_one_stays_open() {
        start();
        Socket finished = connect("127.0.0.40");
        assertThat(request(finished, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
        Socket stalled = connect("127.0.0.40");
        send(stalled, "POST /api/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user");
        long start = System.nanoTime();
        assertClosedWithin(stalled, Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("held for").isGreaterThanOrEqualTo(BODY_TIMEOUT.minusMillis(200));
        assertThat(request(finished, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).as("a keep-alive connection after the timeout")
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void one_address_holds_at_most_its_connections_and_the_next_is_closed_at_once() {
        start();
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < PER_ADDRESS; i++) {
            Socket s = connect("127.0.0.41");
            assertThat(request(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
            held.add(s);
        }
        for (int i = 0; i < 50; i++) assertClosedWithin(connect("127.0.0.41"), Duration.ofSeconds(1));
        assertThat(request(held.getLast(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).as("the held ones still work").startsWith("HTTP/1.1 200");
        held.forEach(ConnectionLimitsTest::close);
        Await.until(() -> { // the count comes down as they close
            Socket again = connect("127.0.0.41");
            try {
                return request(again, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200");
            } catch (AssertionError | UncheckedIOException stillFull) {
                return false;
            } finally {
                close(again);
            }
        });
    }

    @Test
    void with_an_attacker_at_its_maximum_another_address_signs_in_and_health_answers_promptly() {
        start();
        server.cookie("Ada"); // signs Ada up
        // The attacker holds all its address may (keep-alive connections), then tries ten times as many bodies that never finish.
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < PER_ADDRESS; i++) {
            Socket s = connect("127.0.0.42");
            assertThat(request(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
            held.add(s);
        }
        List<Socket> more = new ArrayList<>();
        for (int i = 0; i < 10 * PER_ADDRESS; i++) {
            Socket s = connect("127.0.0.42");
            more.add(s);
            try {
                send(s, "POST /api/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
            } catch (UncheckedIOException closedAlready) {
                // the server closed it as it came: what this test wants
            }
        }
        assertThat(more.stream().filter(ConnectionLimitsTest::isOpen).count()).as("stalled bodies beyond the maximum still open").isZero();
        assertThat(held.stream().filter(ConnectionLimitsTest::isOpen).count()).as("connections the attacker holds").isEqualTo(PER_ADDRESS);
        long t0 = System.nanoTime();
        HttpResponse<String> signIn = TestAccounts.post(server.port(), "/api/signin",
                "{\"username\":\"Ada\",\"password\":\"" + TestAccounts.password("Ada") + "\"}", null);
        assertThat(signIn.statusCode()).isEqualTo(200);
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("sign-in and health").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void beyond_max_connections_new_connections_are_closed_at_once_and_accepted_again_when_some_close() {
        start("--max-connections", "30");
        List<Socket> held = new ArrayList<>();
        for (String from : List.of("127.0.0.43", "127.0.0.44")) {
            for (int i = 0; i < 15; i++) {
                Socket s = connect(from);
                assertThat(request(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
                held.add(s);
            }
        }
        long t0 = System.nanoTime();
        assertClosedWithin(connect("127.0.0.45"), Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused in").isLessThan(Duration.ofSeconds(1));
        held.forEach(ConnectionLimitsTest::close);
        Await.until(() -> {
            try {
                return server.get("/health").statusCode() == 200;
            } catch (IllegalStateException stillFull) {
                return false;
            }
        });
    }

    @Test
    void an_upload_that_keeps_sending_slowly_is_not_cut_and_one_that_stops_is() throws Exception {
        start();
        WsClient ada = server.hello("Ada");
        try (ada) {
            ada.send("create_room", "name", "files");
            String room = ada.expect("room_added").at("/room/id").asText();
            ada.send("join", "room", room);
            ada.expect("joined");
            byte[] bytes = new byte[40];
            String slow = declare(ada, room, bytes);
            Socket uploading = connect("127.0.0.46");
            send(uploading, "PUT /files/" + slow + " HTTP/1.1\r\nHost: x\r\nCookie: " + ada.cookie() + "\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n");
            long t0 = System.nanoTime();
            for (int i = 0; i < bytes.length / 4; i++) { // 10 pieces, 300 ms apart: three times the body timeout
                Thread.sleep(300); // the pace of a slow sender, not a wait for a condition
                uploading.getOutputStream().write(bytes, i * 4, 4);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(BODY_TIMEOUT.multipliedBy(2));
            assertThat(read(uploading)).startsWith("HTTP/1.1 201");

            String stalled = declare(ada, room, new byte[] {1, 2, 3});
            Socket stopping = connect("127.0.0.46");
            send(stopping, "PUT /files/" + stalled + " HTTP/1.1\r\nHost: x\r\nCookie: " + ada.cookie() + "\r\nContent-Length: 3\r\n\r\n\1");
            assertClosedWithin(stopping, Duration.ofSeconds(5));
        }
    }

    /** Sends a file message for {@code bytes}; returns its file's id. */
    private static String declare(WsClient c, String room, byte[] bytes) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        c.send("send", "room", room, "clientId", "c-" + System.nanoTime(),
                "file", Map.of("name", "f.bin", "size", bytes.length, "type", "application/octet-stream", "sha256", sha));
        return c.expect("ack").at("/file/id").asText();
    }

    private Socket connect(String from) {
        try {
            Socket s = new Socket();
            sockets.add(s);
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(Socket s, String text) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a request and reads its answer: the status line, headers and a short body. */
    private static String request(Socket s, String request) {
        send(s, request);
        return read(s);
    }

    /** What the server answers, up to the end of a body of the Content-Length it declares. */
    private static String read(Socket s) {
        try {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new AssertionError("closed after: " + head);
                head.append((char) b);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server ends the connection within {@code limit}: an end of stream or a reset, and nothing answered. */
    private static void assertClosedWithin(Socket s, Duration limit) {
        try {
            s.setSoTimeout((int) limit.toMillis());
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // an answer (a 408, say) may come first; what matters is the end
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("still open after " + limit, e);
        } catch (IOException reset) {
            // closed with a reset: closed
        }
    }

    /** Whether the server has not closed {@code s}: nothing to read, and no end of stream, within 100 ms. */
    private static boolean isOpen(Socket s) {
        try {
            s.setSoTimeout(100);
            return s.getInputStream().read() >= 0;
        } catch (java.net.SocketTimeoutException quiet) {
            return true;
        } catch (IOException reset) {
            return false;
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
