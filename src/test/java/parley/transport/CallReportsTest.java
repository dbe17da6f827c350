package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Calls as the server keeps them, and the reports pages send of them: who may send, who may read, and the limits. */
class CallReportsTest {
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();
    private WsClient owner;
    private String room;

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    /** A server whose first account (an admin) is not used; the room's owner is Olga, who is no admin. */
    private void start(String... settings) {
        server = TestServer.start(settings);
        clients.add(server.hello("admin"));
        owner = server.hello("Olga");
        clients.add(owner);
        owner.send("create_room", "name", "standup");
        room = owner.expect("room_added").at("/room/id").asText();
    }

    private WsClient inRoom(String name) {
        WsClient c = server.hello(name);
        clients.add(c);
        c.send("join", "room", room);
        c.expect("joined");
        return c;
    }

    private String joinCall(WsClient c) {
        c.send("call_join", "room", room);
        return c.expect("call_joined").get("call").asText();
    }

    private static ObjectNode report(int seconds) {
        ObjectNode r = WsClient.JSON.createObjectNode().put("seconds", seconds).put("iceRestarts", 1);
        ObjectNode figures = r.putObject("figures");
        figures.putObject("rtt").put("avg", 38).put("worst", 190);
        figures.putObject("loss").put("avg", 0.4).put("worst", 6.5);
        r.putArray("minutes").addObject().put("sendBitrate", 790000).put("fps", 29.5);
        r.putArray("candidates").addObject().put("local", "relay").put("remote", "srflx").put("protocol", "udp").put("relayProtocol", "tls");
        r.putArray("failures").addObject().put("reason", "udp_blocked").put("at", 3).put("detail", "UDP to the relay timed out");
        return r;
    }

    private static ObjectNode callReport(String room, String call, boolean last, JsonNode report, String ref) {
        return WsClient.message("call_report", "ref", ref, "room", room, "call", call, "final", last, "report", report);
    }

    private JsonNode calls(WsClient asker) {
        asker.send("calls", "room", room, "ref", "k");
        return asker.expect(m -> m.path("type").asText().equals("calls") || m.path("type").asText().equals("error"), "calls or error");
    }

    @Test
    void a_call_is_listed_with_its_participants_though_no_page_reported_it() {
        start();
        WsClient ada = inRoom("Ada");
        WsClient grace = inRoom("Grace");
        String call = joinCall(ada);
        assertThat(joinCall(grace)).as("the call in progress").isEqualTo(call);
        JsonNode during = calls(owner).get("calls");
        assertThat(during).hasSize(1);
        assertThat(during.get(0).has("ended")).as("in progress").isFalse();
        ada.send("call_leave", "room", room);
        ada.expect("call_left");
        grace.send("call_leave", "room", room);
        grace.expect("call_left");
        JsonNode listed = calls(owner);
        assertThat(listed.get("ref").asText()).isEqualTo("k");
        JsonNode c = listed.get("calls").get(0);
        assertThat(c.get("id").asText()).isEqualTo(call);
        assertThat(c.get("ended").asLong()).isGreaterThanOrEqualTo(c.get("started").asLong());
        assertThat(c.get("participants")).extracting(p -> p.get("name").asText()).containsExactly("Ada", "Grace");
        assertThat(c.get("participants")).allSatisfy(p -> {
            assertThat(p.has("left")).isTrue();
            assertThat(p.has("report")).isFalse();
        });
        assertThat(joinCall(ada)).as("a new call after the last one left").isNotEqualTo(call);
    }

    @Test
    void a_report_is_kept_as_sent_and_shown_to_the_rooms_owner_and_to_admins() {
        start();
        WsClient ada = inRoom("Ada");
        String call = joinCall(ada);
        ada.send(callReport(room, call, false, report(60), "q1"));
        assertThat(ada.expect("call_reported").get("ref").asText()).isEqualTo("q1");
        ada.send("call_leave", "room", room);
        ada.expect("call_left");
        ObjectNode last = report(95);
        ada.send(callReport(room, call, true, last, "q2"));
        JsonNode stored = ada.expect("call_reported");
        assertThat(stored.get("call").asText()).isEqualTo(call);

        JsonNode ada0 = calls(owner).get("calls").get(0).get("participants").get(0);
        assertThat(ada0.get("report")).as("the latest report, as sent").isEqualTo(last);
        assertThat(ada0.get("final").asBoolean()).isTrue();
        assertThat(ada0.get("reported").asLong()).isPositive();
        WsClient admin = clients.getFirst();
        assertThat(calls(admin).get("calls").get(0).get("participants").get(0).get("report")).isEqualTo(last);
    }

    @Test
    void members_who_do_not_own_the_room_may_not_list_its_calls() {
        start();
        WsClient ada = inRoom("Ada");
        joinCall(ada);
        JsonNode refused = calls(ada);
        assertThat(refused.get("code").asText()).isEqualTo("forbidden");
        assertThat(refused.get("ref").asText()).isEqualTo("k");
    }

    @Test
    void a_report_after_the_final_one_is_refused() {
        start();
        WsClient ada = inRoom("Ada");
        String call = joinCall(ada);
        ada.send(callReport(room, call, true, report(10), "q1"));
        ada.expect("call_reported");
        ada.send(callReport(room, call, false, report(20), "q2"));
        assertThat(ada.expectError("bad_state").get("ref").asText()).isEqualTo("q2");
        assertThat(calls(owner).at("/calls/0/participants/0/report/seconds").asInt()).isEqualTo(10);
    }

    @Test
    void a_session_reports_only_the_calls_it_was_in() {
        start();
        WsClient ada = inRoom("Ada");
        WsClient grace = inRoom("Grace");
        String call = joinCall(ada);
        grace.send(callReport(room, call, false, report(10), "q1"));
        assertThat(grace.expectError("not_in_call").get("ref").asText()).isEqualTo("q1");
        ada.send(callReport(room, "c_never", false, report(10), "q2"));
        ada.expectError("not_in_call");
        grace.send(callReport("r_nowhere", call, false, report(10), "q3"));
        grace.expectError("no_such_room");
        assertThat(calls(owner).at("/calls/0/participants/0").has("report")).isFalse();
    }

    @Test
    void a_report_larger_than_call_report_max_bytes_is_too_large() {
        start("--call-report-max-bytes", "256");
        WsClient ada = inRoom("Ada");
        String call = joinCall(ada);
        ObjectNode small = WsClient.JSON.createObjectNode().put("seconds", 5);
        ObjectNode large = report(5);
        assertThat(large.toString().length()).isGreaterThan(256);
        ada.send(callReport(room, call, false, large, "big"));
        assertThat(ada.expectError("too_large").get("ref").asText()).isEqualTo("big");
        ada.send(callReport(room, call, false, small, "small"));
        ada.expect("call_reported");
    }

    @Test
    void reports_beyond_call_reports_per_minute_are_refused_with_their_ref() {
        start("--call-reports-per-minute", "2");
        WsClient ada = inRoom("Ada");
        String call = joinCall(ada);
        for (String ref : List.of("a", "b")) {
            ada.send(callReport(room, call, false, report(1), ref));
            ada.expect("call_reported");
        }
        ada.send(callReport(room, call, false, report(1), "c"));
        assertThat(ada.expectError("rate_limited").get("ref").asText()).isEqualTo("c");
        ada.send("ping", "ref", "p");
        ada.expect("pong"); // the connection's own limit is untouched
    }

    @Test
    void calls_older_than_call_retention_days_are_purged() {
        start();
        WsClient ada = inRoom("Ada");
        String call = joinCall(ada);
        ada.send(callReport(room, call, true, report(3), "q"));
        ada.expect("call_reported");
        ada.send("call_leave", "room", room);
        ada.expect("call_left");
        clients.forEach(WsClient::close);
        clients.clear();
        server = server.restart();
        WsClient kept = server.hello("Olga");
        clients.add(kept);
        owner = kept;
        assertThat(calls(owner).get("calls")).as("within 30 days: kept across a restart").hasSize(1);
        clients.forEach(WsClient::close);
        clients.clear();
        server = server.restart("--call-retention-days", "0");
        owner = server.hello("Olga");
        clients.add(owner);
        assertThat(calls(owner).get("calls")).as("purged when the server starts, and every hour").isEmpty();
    }
}
