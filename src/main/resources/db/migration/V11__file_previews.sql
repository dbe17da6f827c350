-- A thumbnail a sender made of the file it shares (a data: URL of a small WebP, JPEG or PNG, checked by the
-- protocol), and the size in pixels of the full picture; null when the sender made none.
ALTER TABLE files ADD COLUMN preview TEXT;
ALTER TABLE files ADD COLUMN preview_width INTEGER;
ALTER TABLE files ADD COLUMN preview_height INTEGER;
