-- Contests (spec 000, the contest integration API) over the one identity.

-- The integration API's view of every person: an integer user_id (the original's clients
-- store it) and the profile fields it sends. One row per user, whichever API created them:
-- a trigger adds it, existing users are backfilled, and the service adds a missing one.
CREATE TABLE integration_users (
  num INTEGER PRIMARY KEY AUTOINCREMENT,  -- the integration API's user_id
  user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  email TEXT,                             -- NULL reads as "" (as the original)
  timezone TEXT,                          -- NULL reads as ""
  preferred_languages TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO integration_users (user_id) SELECT id FROM users ORDER BY created_at, id;
CREATE TRIGGER integration_users_for_new_user AFTER INSERT ON users
BEGIN
  INSERT OR IGNORE INTO integration_users (user_id) VALUES (NEW.id);
END;

CREATE TABLE contests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

-- A task scores live from the judge when it is linked to a CARP dataset, else from task_scores.
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  contest_id INTEGER NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  dataset_id TEXT REFERENCES datasets(id),
  score_precision INTEGER NOT NULL DEFAULT 0,   -- digits kept by the original's round()
  created_at INTEGER NOT NULL,
  UNIQUE (contest_id, name)
);
CREATE INDEX tasks_dataset ON tasks(dataset_id);

CREATE TABLE participations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  contest_id INTEGER NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  UNIQUE (contest_id, user_id)
);
CREATE INDEX participations_user ON participations(user_id);

-- Scores set by admins for tasks without a dataset.
CREATE TABLE task_scores (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  participation_id INTEGER NOT NULL REFERENCES participations(id) ON DELETE CASCADE,
  score REAL NOT NULL,
  set_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  set_at INTEGER NOT NULL,
  PRIMARY KEY (task_id, participation_id)
);

-- Sliding sessions: when set, each use pushes expires_at to now + idle_ms (contest sessions: 3 h).
ALTER TABLE sessions ADD COLUMN idle_ms INTEGER;

-- The contest a create_session session was made for (the original kept it beside the user id).
CREATE TABLE contest_sessions (
  id_hash TEXT PRIMARY KEY REFERENCES sessions(id_hash) ON DELETE CASCADE,
  contest_id INTEGER
);
