-- Files shared in rooms. The bytes live in the data directory under the file's id (server-generated:
-- no name from a client reaches the file system); name and type are only shown to people.
CREATE TABLE files (
    id          TEXT    PRIMARY KEY,
    room_id     TEXT    NOT NULL REFERENCES rooms (id),
    uploader_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,          -- lower-case hex, as the sender declared it
    created_at  INTEGER NOT NULL,
    stored_at   INTEGER                    -- null until an upload of exactly these bytes completed
);

-- A file message names its file; other messages have none.
ALTER TABLE messages ADD COLUMN file_id TEXT REFERENCES files (id);
