-- Accounts replace guests. The guests table stays as it was, read by nothing: a guest had no password,
-- so it cannot become an account. Messages keep their sender_id and sender_name, so history written by
-- guests still reads as before; new user ids (u_...) are random and never collide with theirs.

CREATE TABLE accounts (
    id            TEXT    PRIMARY KEY,             -- u_..., the userId of the protocol
    username      TEXT    NOT NULL,                -- as typed at sign-up
    username_key  TEXT    NOT NULL UNIQUE,         -- lower-cased: usernames are unique ignoring case
    name          TEXT    NOT NULL,                -- display name
    password_hash TEXT    NOT NULL,                -- Argon2id, PHC string format ($argon2id$v=19$m=..,t=..,p=..$salt$hash)
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    disabled_at   INTEGER,                         -- null while the account may sign in
    created_at    INTEGER NOT NULL
);

-- Signed-in browsers. Only a SHA-256 of the session token is kept: a copy of the database signs no one in.
CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,             -- lower-case hex SHA-256 of the cookie's token
    user_id       TEXT    NOT NULL REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- Invitations for sign-up when signup is invite: single use, until they expire.
CREATE TABLE invitations (
    code_hash     TEXT    PRIMARY KEY,             -- lower-case hex SHA-256 of the code
    created_by    TEXT    NOT NULL REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_by       TEXT    REFERENCES accounts (id) -- null until someone signed up with it
) WITHOUT ROWID;
