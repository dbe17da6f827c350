-- Read state kept by the server, per account and room, so that every tab and device of a person agrees:
-- read_seq is the seq up to which they have read (it only moves forward), notify how the page notifies them
-- of the room's messages (null: the default, all for a direct room and mentions for the others).
CREATE TABLE room_readers (
    user_id     TEXT    NOT NULL,
    room_id     TEXT    NOT NULL REFERENCES rooms (id),
    read_seq    INTEGER NOT NULL DEFAULT 0,
    notify      TEXT    CHECK (notify IN ('all', 'mentions', 'none')),
    PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;

-- Whom a message mentions, decided by the server when it was sent: ' u_1:ada u_2:grace ' (user id and
-- username, space-separated, with a space at both ends so that ' u_1:' finds one), or null for no one;
-- mentions_room is 1 for @room. A deletion clears both.
ALTER TABLE messages ADD COLUMN mentions TEXT;
ALTER TABLE messages ADD COLUMN mentions_room INTEGER;
