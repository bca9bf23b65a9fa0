-- One row per person, whichever legacy API created it (DESIGN.md, "One identity").
CREATE TABLE users (
  id TEXT PRIMARY KEY,                 -- 24 hex characters, shaped like the judge's Mongo ids
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,         -- pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>
  ha1 TEXT,                            -- MD5(login:password) for the quiz digest protocol: password-equivalent
  judge_type INTEGER NOT NULL DEFAULT 200 CHECK (judge_type IN (0, 100, 200, 300)),
  created_at INTEGER NOT NULL
);

-- Server-side sessions; only a SHA-256 of the random id is stored.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);
