CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  time INTEGER NOT NULL,
  memory INTEGER NOT NULL,
  cpu INTEGER NOT NULL,
  data TEXT NOT NULL,
  best_known_cost INTEGER,             -- reference cost for contest scores, when known
  command TEXT,                        -- solver command template; NULL = the global default
  created_at INTEGER NOT NULL
);

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  dataset_id TEXT NOT NULL REFERENCES datasets(id),
  archive_key TEXT NOT NULL,           -- blob store key of the submitted zip
  status INTEGER NOT NULL DEFAULT 0,   -- 0 WAITING, 1 QUEUED, 2 RUNNING, 3 FINISHED, 4 ERROR
  submit_time INTEGER NOT NULL,        -- epoch ms
  judge_time INTEGER,
  judge_worker TEXT REFERENCES users(id),
  timedout INTEGER NOT NULL DEFAULT 0,
  stdout TEXT,
  out_overflow INTEGER NOT NULL DEFAULT 0,
  stderr TEXT,
  err_overflow INTEGER NOT NULL DEFAULT 0,
  time REAL NOT NULL DEFAULT 0,
  exitcode INTEGER NOT NULL DEFAULT 0,
  valid INTEGER NOT NULL DEFAULT 0,
  cost INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  lease_worker TEXT,                   -- worker holding the case while QUEUED/RUNNING
  lease_expires INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_user_submit ON cases(user_id, submit_time DESC);
CREATE INDEX cases_queue ON cases(status, submit_time);
CREATE INDEX cases_top ON cases(dataset_id, valid, status, cost, time, submit_time);
