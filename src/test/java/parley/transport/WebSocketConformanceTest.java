package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import parley.testing.RawWebSocket;
import parley.testing.TestServer;

/**
 * The RFC 6455 cases of the Autobahn test suite that matter to Parley, against the real server with a raw
 * socket: control frames, fragmentation, the close handshake, UTF-8 across fragments, masking. (Compressed
 * frames, invalid UTF-8 in one frame, binary frames and oversize frames are in HostileInputTest and
 * ProtocolErrorsTest.) Each case runs on a fresh connection that said hello.
 */
class WebSocketConformanceTest {
    private static final byte[] PING_MESSAGE = "{\"type\":\"ping\",\"ref\":\"r\"}".getBytes(StandardCharsets.UTF_8);
    private static final String PONG_MESSAGE = "{\"type\":\"pong\",\"ref\":\"r\"}";
    private static TestServer server;
    private static String cookie;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        cookie = server.cookie("Conformance");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawWebSocket helloed() {
        RawWebSocket ws = new RawWebSocket(server.port(), cookie);
        ws.sendText("{\"type\":\"hello\"}");
        assertThat(ws.read().text()).contains("\"welcome\"");
        return ws;
    }

    /** Reads to the server's close frame, skipping anything before it, and returns its code. */
    private static int closeCode(RawWebSocket ws) {
        while (true) {
            RawWebSocket.Frame f = ws.read();
            if (f.opcode() == RawWebSocket.CLOSE) return f.closeCode();
        }
    }

    private static byte[] close(int code, byte[] reason) {
        var out = new ByteArrayOutputStream();
        out.write(code >>> 8);
        out.write(code & 0xff);
        out.writeBytes(reason);
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> violations() {
        byte[] text = bytes("{\"type\":\"ping\"}");
        return Stream.of(
                Arguments.of("a ping of 126 bytes (control frames carry at most 125)", 1002,
                        (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.PING, true, new byte[126])),
                Arguments.of("a fragmented ping", 1002,
                        (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.PING, false, bytes("ab"))),
                Arguments.of("a fragmented close", 1002,
                        (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, false, close(1000, new byte[0]))),
                Arguments.of("a continuation with no message started", 1002,
                        (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CONTINUATION, true, text)),
                Arguments.of("a new text frame before the message ended", 1002, (Consumer<RawWebSocket>) ws -> {
                    ws.send(RawWebSocket.TEXT, false, bytes("{\"type\":"));
                    ws.send(RawWebSocket.TEXT, true, text);
                }),
                Arguments.of("a reserved data opcode (3)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(3, true, text)),
                Arguments.of("a reserved control opcode (11)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(11, true, new byte[0])),
                Arguments.of("RSV2 set", 1002, (Consumer<RawWebSocket>) ws -> ws.send(0x20 | RawWebSocket.TEXT, true, text)),
                Arguments.of("RSV3 set", 1002, (Consumer<RawWebSocket>) ws -> ws.send(0x10 | RawWebSocket.TEXT, true, text)),
                Arguments.of("an unmasked frame", 1002, (Consumer<RawWebSocket>) ws -> ws.sendUnmasked(RawWebSocket.TEXT, true, text)),
                Arguments.of("a close of one byte", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, new byte[] {3})),
                Arguments.of("close code 999", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(999, new byte[0]))),
                Arguments.of("close code 1004 (reserved)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(1004, new byte[0]))),
                Arguments.of("close code 1005 (never sent)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(1005, new byte[0]))),
                Arguments.of("close code 1006 (never sent)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(1006, new byte[0]))),
                Arguments.of("close code 1015 (never sent)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(1015, new byte[0]))),
                Arguments.of("close code 2999 (reserved)", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(2999, new byte[0]))),
                Arguments.of("close code 5000", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(5000, new byte[0]))),
                Arguments.of("close code 65535", 1002, (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(65535, new byte[0]))),
                Arguments.of("a close reason that is not UTF-8", 1007,
                        (Consumer<RawWebSocket>) ws -> ws.send(RawWebSocket.CLOSE, true, close(1000, new byte[] {'o', (byte) 0xc3, 0x28}))),
                Arguments.of("invalid UTF-8 in a later fragment", 1007, (Consumer<RawWebSocket>) ws -> {
                    ws.send(RawWebSocket.TEXT, false, bytes("{\"type\":\"ping\",\"ref\":\""));
                    ws.send(RawWebSocket.CONTINUATION, false, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}); // a surrogate
                    ws.send(RawWebSocket.CONTINUATION, true, bytes("\"}"));
                }));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("violations")
    void a_frame_the_rfc_forbids_closes_the_socket_with_its_code(String what, int code, Consumer<RawWebSocket> send) {
        try (RawWebSocket ws = helloed()) {
            send.accept(ws);
            assertThat(closeCode(ws)).as(what).isEqualTo(code);
        }
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void a_ping_is_answered_with_a_pong_that_echoes_its_payload() {
        try (RawWebSocket ws = helloed()) {
            byte[] payload = bytes("are you there? " + "x".repeat(100)); // 115 bytes
            ws.send(RawWebSocket.PING, true, payload);
            RawWebSocket.Frame pong = ws.read();
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.payload()).isEqualTo(payload);
        }
    }

    @Test
    void an_unsolicited_pong_is_ignored() {
        try (RawWebSocket ws = helloed()) {
            ws.send(RawWebSocket.PONG, true, bytes("unasked"));
            ws.send(RawWebSocket.TEXT, true, PING_MESSAGE);
            assertThat(ws.read().text()).isEqualTo(PONG_MESSAGE);
        }
    }

    @Test
    void a_message_split_into_a_frame_per_byte_is_one_message() {
        try (RawWebSocket ws = helloed()) {
            ws.send(RawWebSocket.TEXT, false, new byte[] {PING_MESSAGE[0]});
            for (int i = 1; i < PING_MESSAGE.length; i++) {
                ws.send(RawWebSocket.CONTINUATION, i == PING_MESSAGE.length - 1, new byte[] {PING_MESSAGE[i]});
            }
            assertThat(ws.read().text()).isEqualTo(PONG_MESSAGE);
        }
    }

    @Test
    void control_frames_between_fragments_are_answered_and_the_message_goes_on() {
        try (RawWebSocket ws = helloed()) {
            ws.send(RawWebSocket.TEXT, false, Arrays.copyOfRange(PING_MESSAGE, 0, 10));
            ws.send(RawWebSocket.PING, true, bytes("between"));
            ws.send(RawWebSocket.PONG, true, bytes("unasked"));
            ws.send(RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(PING_MESSAGE, 10, PING_MESSAGE.length));
            RawWebSocket.Frame pong = ws.read();
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.text()).isEqualTo("between");
            assertThat(ws.read().text()).isEqualTo(PONG_MESSAGE);
        }
    }

    @Test
    void a_code_point_split_between_two_frames_is_read_whole() {
        try (RawWebSocket ws = helloed()) {
            String prefix = "{\"type\":\"ping\",\"ref\":\"caf\u00e9 ";
            byte[] message = bytes(prefix + "\ud83d\ude00\"}");
            int cut = bytes(prefix).length + 2; // inside the emoji's 4 bytes
            ws.send(RawWebSocket.TEXT, false, Arrays.copyOfRange(message, 0, cut));
            ws.send(RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(message, cut, message.length));
            assertThat(ws.read().text()).isEqualTo("{\"type\":\"pong\",\"ref\":\"caf\u00e9 \ud83d\ude00\"}");
        }
    }

    @Test
    void a_close_is_answered_with_a_close_echoing_its_code() {
        for (int code : new int[] {1000, 1001, 3000, 4999}) {
            try (RawWebSocket ws = helloed()) {
                ws.send(RawWebSocket.CLOSE, true, close(code, bytes("bye")));
                assertThat(closeCode(ws)).as("the answer to a close with %d", code).isEqualTo(code);
                assertThat(ws.drainToEnd()).as("then the server closes the connection").isZero();
            }
        }
    }
}
