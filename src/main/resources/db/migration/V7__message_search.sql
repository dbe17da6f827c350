-- Full-text search of messages as they read now. An FTS5 index with the trigram tokenizer (SQLite 3.34+)
-- finds any part of a word of three characters or more, in any script (CJK has no spaces between words),
-- ignoring case. It is contentless (content=''): it keeps the trigrams of each text, not the text itself,
-- so the text lives in one place, messages.body; contentless_delete (3.43+) lets an edit or a deletion
-- take a row out; contentless_unindexed (3.47+) keeps room_id and seq in the index, so a match names its
-- message without another index. secure-delete (3.42+) removes a deleted row's trigrams from the index at
-- once instead of leaving them until segments merge: an old text's trigrams do not linger in the file.
CREATE VIRTUAL TABLE message_search USING fts5(
    body, room_id UNINDEXED, seq UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1, tokenize = 'trigram');
INSERT INTO message_search (message_search, rank) VALUES ('secure-delete', 1);

-- A message's row in message_search: allocated in commit order, so rowid order is the order messages were
-- first stored (across rooms), which is the order of results. Kept when the message is edited (the same
-- row is written again) or deleted (the row goes from the index, the number stays as a paging cursor).
-- Every message has one (a file without caption too: an edit may give it text); changes have none.
ALTER TABLE messages ADD COLUMN search_rowid INTEGER;

-- The messages stored so far, in the order they were stored.
UPDATE messages SET search_rowid = numbered.n
FROM (SELECT room_id, seq, row_number() OVER (ORDER BY created_at, room_id, seq) AS n
      FROM messages WHERE kind = 'message') AS numbered
WHERE messages.room_id = numbered.room_id AND messages.seq = numbered.seq;
INSERT INTO message_search (rowid, body, room_id, seq)
    SELECT search_rowid, body, room_id, seq FROM messages
    WHERE kind = 'message' AND deleted_at IS NULL AND body <> '';
