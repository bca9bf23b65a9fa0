-- Each user's best valid finished case per dataset, kept by triggers whatever writes the cases,
-- so /api/judge/top reads one row per user instead of ranking every case.
CREATE TABLE judge_best (
  dataset_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  cost INTEGER NOT NULL,
  time REAL NOT NULL,
  submit_time INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, user_id)
);
CREATE INDEX judge_best_rank ON judge_best(dataset_id, cost, time, submit_time);
CREATE INDEX cases_user_best ON cases(dataset_id, user_id, valid, status, cost, time, submit_time);

-- Recomputes one (dataset, user) entry from the cases.
CREATE TRIGGER judge_best_after_insert AFTER INSERT ON cases
WHEN NEW.status = 3 AND NEW.valid = 1
BEGIN
  INSERT INTO judge_best (dataset_id, user_id, case_id, cost, time, submit_time)
  VALUES (NEW.dataset_id, NEW.user_id, NEW.id, NEW.cost, NEW.time, NEW.submit_time)
  ON CONFLICT (dataset_id, user_id) DO UPDATE SET
    case_id = excluded.case_id, cost = excluded.cost, time = excluded.time, submit_time = excluded.submit_time
  WHERE (excluded.cost, excluded.time, excluded.submit_time, excluded.case_id)
      < (judge_best.cost, judge_best.time, judge_best.submit_time, judge_best.case_id);
END;

CREATE TRIGGER judge_best_after_update AFTER UPDATE OF status, valid, cost, time, submit_time, user_id, dataset_id ON cases
BEGIN
  DELETE FROM judge_best
  WHERE (dataset_id = OLD.dataset_id AND user_id = OLD.user_id)
     OR (dataset_id = NEW.dataset_id AND user_id = NEW.user_id);
  INSERT INTO judge_best (dataset_id, user_id, case_id, cost, time, submit_time)
  SELECT dataset_id, user_id, id, cost, time, submit_time FROM (
    SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.dataset_id, c.user_id ORDER BY c.cost, c.time, c.submit_time, c.id) AS rn
    FROM cases c
    WHERE c.valid = 1 AND c.status = 3
      AND ((c.dataset_id = OLD.dataset_id AND c.user_id = OLD.user_id) OR (c.dataset_id = NEW.dataset_id AND c.user_id = NEW.user_id))
  ) WHERE rn = 1;
END;

CREATE TRIGGER judge_best_after_delete AFTER DELETE ON cases
BEGIN
  DELETE FROM judge_best WHERE dataset_id = OLD.dataset_id AND user_id = OLD.user_id;
  INSERT INTO judge_best (dataset_id, user_id, case_id, cost, time, submit_time)
  SELECT dataset_id, user_id, id, cost, time, submit_time FROM cases
  WHERE dataset_id = OLD.dataset_id AND user_id = OLD.user_id AND valid = 1 AND status = 3
  ORDER BY cost, time, submit_time, id LIMIT 1;
END;

-- Judge leases: a random token per claim, so a worker that lost its lease cannot report.
ALTER TABLE cases ADD COLUMN lease_id TEXT;
