package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import parley.testing.RawWebSocket;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** A client that stops reading is cut off at max-queued-bytes; the others do not notice. */
class SlowReaderTest {

    @Test
    void a_reader_that_stops_reading_is_disconnected_and_the_writer_keeps_its_pace() {
        try (TestServer server = TestServer.start("--max-queued-bytes", "262144", "--messages-per-second", "100000");
             WsClient fast = server.hello("Fast");
             RawWebSocket slow = new RawWebSocket(server.port(), server.cookie("Slow"), 4096)) {
            fast.send("create_room", "name", "firehose");
            String room = fast.expect("room_added").at("/room/id").asText();
            fast.send("join", "room", room);
            fast.expect("joined");

            slow.sendText("{\"type\":\"hello\"}");
            String sessionId = WsClient.JSON.valueToTree(parse(slow.read().text())).get("sessionId").asText();
            slow.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertThat(slow.read().text()).contains("\"joined\"");
            fast.expect("presence");
            // From here on the slow client reads nothing.

            String text = "x".repeat(2000);
            int n = 4_000; // 8 MB for the slow reader, far beyond its TCP buffers and the 256 KiB queue
            int sent = 0;
            int acks = 0;
            int messages = 0;
            JsonNode left = null;
            while (acks < n || messages < n || left == null) {
                // The writer reads as it writes (at most 32 sends unacknowledged), like a real client.
                while (sent < n && sent - acks < 32) fast.send("send", "room", room, "clientId", "f" + sent++, "text", text);
                JsonNode m = fast.next();
                String type = m.get("type").asText();
                if (type.equals("ack")) acks++;
                if (type.equals("message")) messages++;
                if (type.equals("presence") && m.get("event").asText().equals("leave")) left = m;
            }
            assertThat(left.at("/member/sessionId").asText()).isEqualTo(sessionId);
            assertThat(fast.received("message")).hasSize(n);
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            // The server dropped the connection: what the kernel had buffered ends in EOF, not in more data.
            assertThat(slow.drainToEnd()).as("bytes buffered before the server hung up").isLessThan(64L * 1024 * 1024);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return WsClient.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
