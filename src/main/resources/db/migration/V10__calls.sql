-- Calls as they happened: who was in which call of a room, from when to when, and each participant's latest
-- report of it (call_report: JSON as the protocol validated it). A call is in progress while one of its
-- participants has not left; it ended when the last one left. Kept for call-retention-days, then purged.
-- room_id has no foreign key: a room's deletion deletes its calls first (ChatSql.deleteRoom).
CREATE TABLE calls (
    id          TEXT    PRIMARY KEY,             -- c_..., made by the server
    room_id     TEXT    NOT NULL,
    started_at  INTEGER NOT NULL
);
CREATE INDEX calls_by_room ON calls (room_id, started_at);
CREATE INDEX calls_by_start ON calls (started_at);

CREATE TABLE call_participants (
    call_id       TEXT    NOT NULL REFERENCES calls (id),
    session_id    TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    user_name     TEXT    NOT NULL,
    joined_at     INTEGER NOT NULL,
    left_at       INTEGER,                       -- null: in the call now
    report        TEXT,                          -- the latest call_report's report, or null
    reported_at   INTEGER,
    report_final  INTEGER,                       -- 1: the session's last report of this call
    PRIMARY KEY (call_id, session_id)
);
CREATE INDEX call_participants_open ON call_participants (call_id) WHERE left_at IS NULL;
