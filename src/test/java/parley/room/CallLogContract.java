package parley.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link CallLog} must do; each implementation's test extends this. */
public abstract class CallLogContract {
    protected CallLog log;

    /** A new, empty log. */
    protected abstract CallLog open();

    protected abstract void close(CallLog log);

    private static final RoomId ROOM = new RoomId("r_standup");
    private static final ClientInfo ADA = new ClientInfo(new SessionId("s_ada"), new UserId("u_ada"), "Ada");
    private static final ClientInfo GRACE = new ClientInfo(new SessionId("s_grace"), new UserId("u_grace"), "Grace");

    @BeforeEach
    void openLog() {
        log = open();
    }

    @AfterEach
    void closeLog() {
        close(log);
    }

    private CallLog.CallRecord only(RoomId room) {
        List<CallLog.CallRecord> calls = log.recent(room, 10).join();
        assertThat(calls).hasSize(1);
        return calls.getFirst();
    }

    @Test
    void a_call_starts_with_its_first_participant_and_ends_when_the_last_leaves() {
        log.joined("c_1", ROOM, ADA, 1_000).join();
        log.joined("c_1", ROOM, GRACE, 1_500).join();
        log.left("c_1", ADA.sessionId(), 2_000).join();
        CallLog.CallRecord during = only(ROOM);
        assertThat(during.started()).isEqualTo(1_000);
        assertThat(during.ended()).as("Grace is still in it").isNull();
        log.left("c_1", GRACE.sessionId(), 3_000).join();
        log.left("c_1", GRACE.sessionId(), 9_000).join(); // a second node's record of the same leave
        CallLog.CallRecord after = only(ROOM);
        assertThat(after.ended()).isEqualTo(3_000);
        assertThat(after.participants()).extracting(p -> p.who().name(), CallLog.Participation::joined, CallLog.Participation::left)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Ada", 1_000L, 2_000L), org.assertj.core.groups.Tuple.tuple("Grace", 1_500L, 3_000L));
    }

    @Test
    void the_newest_calls_come_first_and_other_rooms_calls_not_at_all() {
        log.joined("c_old", ROOM, ADA, 1_000).join();
        log.joined("c_new", ROOM, ADA, 5_000).join();
        log.joined("c_other", new RoomId("r_other"), GRACE, 6_000).join();
        assertThat(log.recent(ROOM, 10).join()).extracting(CallLog.CallRecord::id).containsExactly("c_new", "c_old");
        assertThat(log.recent(ROOM, 1).join()).extracting(CallLog.CallRecord::id).containsExactly("c_new");
    }

    @Test
    void a_report_replaces_the_sessions_last_until_the_final_one() {
        log.joined("c_1", ROOM, ADA, 1_000).join();
        assertThat(log.report("c_1", ROOM, ADA.sessionId(), false, "{\"seconds\":1}", 1_100).join()).isEqualTo(CallLog.Reported.STORED);
        assertThat(log.report("c_1", ROOM, ADA.sessionId(), true, "{\"seconds\":2}", 1_200).join()).isEqualTo(CallLog.Reported.STORED);
        assertThat(log.report("c_1", ROOM, ADA.sessionId(), false, "{\"seconds\":3}", 1_300).join()).isEqualTo(CallLog.Reported.ALREADY_FINAL);
        CallLog.Participation ada = only(ROOM).participants().getFirst();
        assertThat(ada.report()).isEqualTo("{\"seconds\":2}");
        assertThat(ada.reported()).isEqualTo(1_200);
        assertThat(ada.last()).isTrue();
    }

    @Test
    void a_report_from_outside_the_call_or_for_another_room_is_refused() {
        log.joined("c_1", ROOM, ADA, 1_000).join();
        assertThat(log.report("c_1", ROOM, GRACE.sessionId(), false, "{}", 1_100).join()).isEqualTo(CallLog.Reported.NOT_A_PARTICIPANT);
        assertThat(log.report("c_1", new RoomId("r_other"), ADA.sessionId(), false, "{}", 1_100).join())
                .isEqualTo(CallLog.Reported.NOT_A_PARTICIPANT);
        assertThat(log.report("c_2", ROOM, ADA.sessionId(), false, "{}", 1_100).join()).isEqualTo(CallLog.Reported.NOT_A_PARTICIPANT);
        assertThat(only(ROOM).participants().getFirst().report()).isNull();
    }

    @Test
    void a_purge_takes_the_ended_calls_started_before_its_time_and_nothing_else() {
        log.joined("c_old", ROOM, ADA, 1_000).join();
        log.report("c_old", ROOM, ADA.sessionId(), true, "{}", 1_500).join();
        log.left("c_old", ADA.sessionId(), 2_000).join();
        log.joined("c_going_on", ROOM, GRACE, 1_200).join();
        log.joined("c_recent", ROOM, ADA, 8_000).join();
        log.left("c_recent", ADA.sessionId(), 8_500).join();
        assertThat(log.purge(5_000).join()).isEqualTo(1);
        assertThat(log.recent(ROOM, 10).join()).extracting(CallLog.CallRecord::id).containsExactly("c_recent", "c_going_on");
    }

    @Test
    void a_call_joined_a_moment_ago_is_listed_without_waiting_for_its_record() {
        for (int i = 0; i < 50; i++) {
            RoomId room = new RoomId("r_" + i);
            log.joined("c_" + i, room, ADA, 1_000); // not waited for: the hub does not wait either
            assertThat(log.recent(room, 10).join()).as("call %d", i).hasSize(1);
        }
    }

    @Test
    void participations_a_stop_left_open_end_when_the_log_is_told() {
        log.joined("c_1", ROOM, ADA, 1_000).join();
        log.interrupted(4_000).join();
        assertThat(only(ROOM).ended()).isEqualTo(4_000);
    }
}
