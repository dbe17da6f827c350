package parley.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import parley.room.CallLog;
import parley.room.ClientInfo;
import parley.room.RoomId;
import parley.room.SessionId;
import parley.room.UserId;

/** The SQL of {@link CallLog}: tables {@code calls} and {@code call_participants} (migration V10). */
final class CallSql {
    private CallSql() {}

    static Void joined(Sql sql, String call, RoomId room, ClientInfo who, long ts) throws SQLException {
        sql.update("INSERT INTO calls (id, room_id, started_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", call, room, ts);
        // Joining again while the call goes on reopens the session's part in it, keeping when it first joined.
        sql.update("INSERT INTO call_participants (call_id, session_id, user_id, user_name, joined_at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (call_id, session_id) DO UPDATE SET left_at = NULL",
                call, who.sessionId().value(), who.userId(), who.name(), ts);
        return null;
    }

    static Void left(Sql sql, String call, SessionId session, long ts) throws SQLException {
        sql.update("UPDATE call_participants SET left_at = ? WHERE call_id = ? AND session_id = ? AND left_at IS NULL",
                ts, call, session.value());
        return null;
    }

    static Void interrupted(Sql sql, long ts) throws SQLException {
        sql.update("UPDATE call_participants SET left_at = ? WHERE left_at IS NULL", ts);
        return null;
    }

    static CallLog.Reported report(Sql sql, String call, RoomId room, SessionId session, boolean last, String report, long ts)
            throws SQLException {
        Integer fin = sql.one("SELECT coalesce(p.report_final, 0) FROM call_participants p JOIN calls c ON c.id = p.call_id "
                + "WHERE p.call_id = ? AND p.session_id = ? AND c.room_id = ?", r -> r.getInt(1), call, session.value(), room);
        if (fin == null) return CallLog.Reported.NOT_A_PARTICIPANT;
        if (fin == 1) return CallLog.Reported.ALREADY_FINAL;
        sql.update("UPDATE call_participants SET report = ?, reported_at = ?, report_final = ? WHERE call_id = ? AND session_id = ?",
                report, ts, last ? 1 : 0, call, session.value());
        return CallLog.Reported.STORED;
    }

    private record CallRow(String id, long started) {}

    static List<CallLog.CallRecord> recent(Sql sql, RoomId room, int limit) throws SQLException {
        List<CallRow> calls = sql.list("SELECT id, started_at FROM calls WHERE room_id = ? ORDER BY started_at DESC, id LIMIT ?",
                r -> new CallRow(r.getString(1), r.getLong(2)), room, limit);
        Map<String, List<CallLog.Participation>> byCall = new LinkedHashMap<>();
        for (CallRow c : calls) {
            byCall.put(c.id(), sql.list("SELECT session_id, user_id, user_name, joined_at, left_at, report, reported_at, report_final "
                    + "FROM call_participants WHERE call_id = ? ORDER BY joined_at, session_id", r -> new CallLog.Participation(
                            new ClientInfo(new SessionId(r.getString(1)), new UserId(r.getString(2)), r.getString(3)),
                            r.getLong(4), nullable(r, 5), r.getString(6), nullable(r, 7),
                            r.getObject(8) == null ? null : r.getInt(8) == 1), c.id()));
        }
        List<CallLog.CallRecord> out = new ArrayList<>();
        for (CallRow c : calls) {
            List<CallLog.Participation> people = byCall.get(c.id());
            boolean open = people.stream().anyMatch(p -> p.left() == null);
            Long ended = open ? null : people.stream().map(CallLog.Participation::left).max(Long::compare).orElse(c.started());
            out.add(new CallLog.CallRecord(c.id(), room, c.started(), ended, people));
        }
        return out;
    }

    private static Long nullable(java.sql.ResultSet r, int column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    static int purge(Sql sql, long before) throws SQLException {
        String ended = "started_at < ? AND NOT EXISTS (SELECT 1 FROM call_participants p WHERE p.call_id = calls.id AND p.left_at IS NULL)";
        sql.update("DELETE FROM call_participants WHERE call_id IN (SELECT id FROM calls WHERE " + ended + ")", before);
        return sql.update("DELETE FROM calls WHERE " + ended, before);
    }

    /** A deleted room's calls go with it. */
    static void deleteRoom(Sql sql, RoomId room) throws SQLException {
        sql.update("DELETE FROM call_participants WHERE call_id IN (SELECT id FROM calls WHERE room_id = ?)", room);
        sql.update("DELETE FROM calls WHERE room_id = ?", room);
    }
}
