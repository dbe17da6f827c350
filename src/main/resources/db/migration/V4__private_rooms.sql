-- Private rooms, direct rooms, roles and bans.
--
-- Room names were unique among all rooms; now only among public rooms, or creating a public room would
-- tell whether a private room of that name exists. SQLite cannot drop a column's UNIQUE, so the table is
-- made again under its own name (messages and files refer to it by name). Foreign keys are enforced: they
-- are checked at the commit instead, and the rooms are back by then.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE rooms_before_v4 AS SELECT * FROM rooms;
DROP TABLE rooms;
CREATE TABLE rooms (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,             -- lower-cased name
    kind        TEXT    NOT NULL DEFAULT 'public' CHECK (kind IN ('public', 'private', 'direct')),
    direct_key  TEXT,                         -- a direct room: its two user ids, sorted, space-separated
    topic       TEXT    NOT NULL DEFAULT '',
    created_by  TEXT,
    created_at  INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0    -- the highest seq in messages for this room
);
INSERT INTO rooms (id, name, name_key, kind, topic, created_by, created_at, last_seq)
    SELECT id, name, name_key, 'public', topic, created_by, created_at, last_seq FROM rooms_before_v4;
DROP TABLE rooms_before_v4;
CREATE UNIQUE INDEX rooms_public_name ON rooms (name_key) WHERE kind = 'public';
CREATE UNIQUE INDEX rooms_direct_key ON rooms (direct_key) WHERE direct_key IS NOT NULL;

-- Who belongs to a room with which role: every member of a private or direct room; in a public room
-- only those with a role above member (anyone may join a public room without a row).
CREATE TABLE room_members (
    room_id     TEXT    NOT NULL REFERENCES rooms (id),
    user_id     TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    added_by    TEXT,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX room_members_user ON room_members (user_id);

-- Who may not join a public room, or be invited to a private one, again.
CREATE TABLE room_bans (
    room_id     TEXT    NOT NULL REFERENCES rooms (id),
    user_id     TEXT    NOT NULL,
    banned_by   TEXT,
    banned_at   INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;

-- The creators of existing rooms who have accounts own them (rooms made by guests have no owner; the
-- server's admins moderate every public room).
INSERT INTO room_members (room_id, user_id, role, added_by, added_at)
    SELECT r.id, r.created_by, 'owner', r.created_by, r.created_at FROM rooms r JOIN accounts a ON a.id = r.created_by;
