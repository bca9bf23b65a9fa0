-- Quiz authorization (spec 002) over the one identity: each person's quiz view, the nonces of
-- the digest protocol, and failed logins per login name.

-- A person's quiz profile, 1:1 with users. `id` is the number the quiz clients see (the
-- original's integer ids); people created by other APIs get one at their first quiz login.
CREATE TABLE quiz_accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,        -- never reused, so a client's stored id stays that person's
  user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('student', 'school', 'guest', 'admin')),
  name TEXT NOT NULL DEFAULT '',               -- first name, or the school's name
  surname TEXT NOT NULL DEFAULT '',            -- students only
  school_id INTEGER REFERENCES quiz_accounts(id) ON DELETE CASCADE,
  access_until TEXT,                           -- 'YYYY-MM-DD' (UTC, that day included); NULL = no limit
  created_at INTEGER NOT NULL,
  CHECK (type IN ('student', 'guest') OR school_id IS NULL),
  CHECK (type <> 'guest' OR school_id IS NOT NULL),
  CHECK (access_until IS NULL OR access_until GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')
);
CREATE INDEX quiz_accounts_school ON quiz_accounts(school_id);

-- Issued nonces: deleted when used (single use) and worthless after expires_at (epoch ms).
CREATE TABLE quiz_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX quiz_nonces_expiry ON quiz_nonces(expires_at);

-- Failed logins per login name (known or not), shared by every gateway node through the
-- database: `failures` counted since `first_at`; at the limit the login is refused until
-- `locked_until` (epoch ms).
CREATE TABLE quiz_login_failures (
  login TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  locked_until INTEGER
);
