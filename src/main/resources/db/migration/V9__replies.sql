-- A message may answer another message of its room: reply_to is that message's seq (NULL: not a reply).
-- Only the link is kept: every read quotes the target as it reads now (its text of now, or that it was
-- deleted), so a reply never keeps a copy of a text that was later edited or deleted.
ALTER TABLE messages ADD COLUMN reply_to INTEGER;
