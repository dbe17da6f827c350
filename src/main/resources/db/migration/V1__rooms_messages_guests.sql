-- Guests: identities until accounts arrive. token_hash is SHA-256 of the token the client keeps.
CREATE TABLE guests (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE rooms (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,   -- lower-cased name: names are unique ignoring case
    topic       TEXT    NOT NULL DEFAULT '',
    created_by  TEXT,
    created_at  INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0 -- the highest seq in messages for this room
);

-- One row per message; (room_id, seq) is the room's single order.
CREATE TABLE messages (
    room_id     TEXT    NOT NULL REFERENCES rooms (id),
    seq         INTEGER NOT NULL,
    sender_id   TEXT    NOT NULL,
    sender_name TEXT    NOT NULL,
    client_id   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;

-- Idempotent sends: one sender's client id is stored once per room.
CREATE UNIQUE INDEX messages_sender_client_id ON messages (room_id, sender_id, client_id);
