package parley.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import parley.testing.ServerProcess;
import parley.testing.WsClient;

/**
 * Promise 1 under SIGKILL: a client streams messages while the server process is killed at a random
 * moment, several times; after each restart it retries what was not acknowledged, with the same ids.
 * In the end every acknowledged message is in history exactly once, with the seq it was acknowledged
 * with, and history is one gapless order.
 */
class DurabilityTest {
    /** The client streams as fast as acks come back: no rate limit, which is not what this test is about. */
    private static final String[] UNLIMITED = {"--messages-per-second", "1000000", "--message-burst", "1000000"};

    private static final int ROUNDS = 4;
    private static final int WINDOW = 64;

    @TempDir
    Path dir;

    @Test
    void every_acknowledged_message_survives_sigkill_exactly_once_in_one_order() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String why = "seed " + seed;
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        int port = ServerProcess.freePort();

        Map<String, Long> acked = new HashMap<>();
        Set<String> unacked = new LinkedHashSet<>();
        String room = null;
        int nextId = 0;
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                ServerProcess server = ServerProcess.start(data, port, log, UNLIMITED);
                // The same account every round (signed up once, signed in after): retries are idempotent per user.
                WsClient client = WsClient.hello(port, "Streamer");
                if (room == null) {
                    client.send("create_room", "name", "durable");
                    room = client.expect("room_added").at("/room/id").asText();
                }
                client.send("join", "room", room);
                client.expect("joined");

                // Retry what the previous server may or may not have stored.
                for (String id : List.copyOf(unacked)) client.send("send", "room", room, "clientId", id, "text", "text of " + id);

                boolean last = round == ROUNDS - 1;
                if (!last) killer.schedule(server::kill, 150 + random.nextInt(1200), TimeUnit.MILLISECONDS);
                int target = nextId + 3000;
                while (true) {
                    while (unacked.size() < WINDOW && (nextId < target)) {
                        String id = "d-" + nextId++;
                        unacked.add(id);
                        try {
                            client.send("send", "room", room, "clientId", id, "text", "text of " + id);
                        } catch (RuntimeException e) {
                            break; // the server is gone
                        }
                    }
                    JsonNode m = client.poll(Duration.ofSeconds(last ? 10 : 2));
                    if (m == null) break;
                    if (m.path("type").asText().equals("ack")) {
                        String id = m.get("clientId").asText();
                        Long previous = acked.put(id, m.get("seq").asLong());
                        assertThat(previous == null || previous == m.get("seq").asLong())
                                .as("%s: %s acked twice with different seqs", why, id).isTrue();
                        unacked.remove(id);
                    }
                    if (last && unacked.isEmpty() && nextId >= target) break;
                }
                client.abort();
                server.close();
                System.out.printf("round %d: %d acked so far, %d in flight when the server stopped%n", round, acked.size(), unacked.size());
            }
        } finally {
            killer.shutdownNow();
        }
        assertThat(unacked).as(why + ": the final round acknowledges everything").isEmpty();

        ServerProcess server = ServerProcess.start(data, port, log, UNLIMITED);
        try (WsClient reader = WsClient.hello(port, "Reader")) {
            reader.send("join", "room", room);
            reader.expect("joined");
            List<JsonNode> history = new ArrayList<>();
            Long before = null;
            do {
                if (before == null) reader.send("history", "room", room, "limit", 200);
                else reader.send("history", "room", room, "limit", 200, "before", before);
                JsonNode page = reader.expect("history");
                List<JsonNode> messages = new ArrayList<>();
                page.get("messages").forEach(messages::add);
                history.addAll(0, messages);
                before = page.get("hasMore").asBoolean() ? messages.getFirst().get("seq").asLong() : null;
            } while (before != null);

            Map<String, Long> stored = new HashMap<>();
            for (int i = 0; i < history.size(); i++) {
                JsonNode m = history.get(i);
                assertThat(m.get("seq").asLong()).as(why + ": gapless order").isEqualTo(i + 1);
                assertThat(stored.put(m.get("clientId").asText(), m.get("seq").asLong()))
                        .as(why + ": %s stored once", m.get("clientId").asText()).isNull();
            }
            assertThat(stored).as(why + ": every acknowledged message, with the seq it was acknowledged with")
                    .containsAllEntriesOf(acked);
            assertThat(stored).hasSize(acked.size());
        } finally {
            server.close();
        }
    }
}
