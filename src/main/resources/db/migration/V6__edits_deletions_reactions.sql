-- Edits, deletions and reactions are entries of a room's order, as messages are: each a row of messages
-- with its own seq, which names the message it changes (target_seq). The change is applied to its target
-- in the same commit: an edit replaces the target's body (the entry keeps no text: a read gives the
-- target's text as it is now), a deletion blanks it, drops its file and its reactions, and marks it.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message'
    CHECK (kind IN ('message', 'edit', 'delete', 'reaction'));
ALTER TABLE messages ADD COLUMN target_seq INTEGER;      -- a change: the seq of the message it changes
ALTER TABLE messages ADD COLUMN emoji TEXT;              -- a reaction: the emoji it toggles
ALTER TABLE messages ADD COLUMN added INTEGER;           -- a reaction: 1 added, 0 taken away
ALTER TABLE messages ADD COLUMN edited_at INTEGER;       -- a message: when it was last edited
ALTER TABLE messages ADD COLUMN deleted_at INTEGER;      -- a message: when it was deleted (its body is '')
ALTER TABLE messages ADD COLUMN deleted_by TEXT;         -- ... and by whom
ALTER TABLE messages ADD COLUMN deleted_by_name TEXT;

-- Who reacted to which message with which emoji: one row each, as long as it stands (a second reaction
-- with the same emoji deletes it). id orders them: emojis by their first standing reaction, people in turn.
CREATE TABLE reactions (
    id          INTEGER PRIMARY KEY,
    room_id     TEXT    NOT NULL REFERENCES rooms (id),
    seq         INTEGER NOT NULL,                -- the message's
    emoji       TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    user_name   TEXT    NOT NULL,
    reacted_at  INTEGER NOT NULL,
    UNIQUE (room_id, seq, emoji, user_id)
);
