-- Team training (spec 001): teams, training sessions on contests, and the room state the
-- original kept in Redis (code snapshots, controller, assignments, online users), here in
-- libSQL so REST, GraphQL and tRPC read what the room sockets wrote.

CREATE TABLE teams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the sockets' and routes' integer team_id
  name TEXT NOT NULL,
  owner_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE team_members (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

-- One session per (team, contest), as the original's get-or-create: a POST on a finished
-- pair answers that finished session again.
CREATE TABLE training_sessions (
  id TEXT PRIMARY KEY,                    -- lowercase UUID
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  contest_id INTEGER NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('IN_PROCESS', 'FINISHED')),
  created_us INTEGER NOT NULL,            -- dt_created, microseconds since the epoch (UTC)
  UNIQUE (team_id, contest_id)
);
CREATE INDEX training_sessions_team ON training_sessions(team_id, status);

-- Each of the contest's tasks, in task order, as A, B, ... when the session starts.
CREATE TABLE training_problems (
  session_id TEXT NOT NULL REFERENCES training_sessions(id) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'NOT_STARTED' CHECK (status IN ('NOT_STARTED', 'PASSED', 'FAILED')),
  attempts INTEGER NOT NULL DEFAULT 0,
  assigned_user TEXT,                     -- JSON of PROBLEM_ASSIGNED's `user`; NULL = none
  PRIMARY KEY (session_id, alias)
);

-- CODE_EDITOR_UPDATE: the editor's content per problem.
CREATE TABLE training_code (
  session_id TEXT NOT NULL,
  alias TEXT NOT NULL,
  code TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, alias),
  FOREIGN KEY (session_id, alias) REFERENCES training_problems(session_id, alias) ON DELETE CASCADE
);

-- CONTROL_TAKEN: who holds the code editor (the client's userId, a string).
CREATE TABLE training_controllers (
  session_id TEXT PRIMARY KEY REFERENCES training_sessions(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- USER frames: who is online in a room (kind 'lobby' = team id, 'training' = session id),
-- one row per user id (the original's list deduplicated by id), in the order first seen.
CREATE TABLE room_online (
  kind TEXT NOT NULL CHECK (kind IN ('lobby', 'training')),
  room_id TEXT NOT NULL,
  user_key TEXT NOT NULL,                 -- String(user.id)
  user_json TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind, room_id, user_key)
);

CREATE TABLE training_comments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  alias TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  content TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  FOREIGN KEY (session_id, alias) REFERENCES training_problems(session_id, alias) ON DELETE CASCADE
);
CREATE INDEX training_comments_problem ON training_comments(session_id, alias, id);

-- A solver archive sent from a training session: the judge case, and whether its final
-- verdict has been applied to the problem (set once, by a conditional UPDATE, on one node).
CREATE TABLE training_submissions (
  case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  session_id TEXT NOT NULL,
  alias TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_us INTEGER NOT NULL,
  applied INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (session_id, alias) REFERENCES training_problems(session_id, alias) ON DELETE CASCADE
);
CREATE INDEX training_submissions_session ON training_submissions(session_id, alias, created_us);
