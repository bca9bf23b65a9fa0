-- A counter per dataset that moves whenever its judge_best rows change: a node (or an edge
-- isolate) keeps its last /api/judge/top answer until then, asking with one primary-key read,
-- so every host sees a new best at once without a bus.
CREATE TABLE judge_best_versions (
  dataset_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);

CREATE TRIGGER judge_best_version_insert AFTER INSERT ON judge_best
BEGIN
  INSERT INTO judge_best_versions (dataset_id, version) VALUES (NEW.dataset_id, 1)
  ON CONFLICT (dataset_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER judge_best_version_update AFTER UPDATE ON judge_best
BEGIN
  INSERT INTO judge_best_versions (dataset_id, version) VALUES (OLD.dataset_id, 1)
  ON CONFLICT (dataset_id) DO UPDATE SET version = version + 1;
  INSERT INTO judge_best_versions (dataset_id, version) VALUES (NEW.dataset_id, 1)
  ON CONFLICT (dataset_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER judge_best_version_delete AFTER DELETE ON judge_best
BEGIN
  INSERT INTO judge_best_versions (dataset_id, version) VALUES (OLD.dataset_id, 1)
  ON CONFLICT (dataset_id) DO UPDATE SET version = version + 1;
END;

-- A case's status moving through WAITING, QUEUED, RUNNING touches no user's best unless it was or
-- becomes a valid finished case: the recomputation (and the counter) is skipped for the others.
-- The recomputation is one ordered index read per (dataset, user) (0003's window over every
-- finished case of the pair was planned, without ANALYZE, as a walk of every finished case).
DROP TRIGGER judge_best_after_update;
CREATE TRIGGER judge_best_after_update AFTER UPDATE OF status, valid, cost, time, submit_time, user_id, dataset_id ON cases
WHEN (OLD.status = 3 AND OLD.valid = 1) OR (NEW.status = 3 AND NEW.valid = 1)
BEGIN
  DELETE FROM judge_best WHERE dataset_id = OLD.dataset_id AND user_id = OLD.user_id;
  DELETE FROM judge_best WHERE dataset_id = NEW.dataset_id AND user_id = NEW.user_id;
  INSERT INTO judge_best (dataset_id, user_id, case_id, cost, time, submit_time)
  SELECT dataset_id, user_id, id, cost, time, submit_time FROM cases
  WHERE dataset_id = OLD.dataset_id AND user_id = OLD.user_id AND valid = 1 AND status = 3
  ORDER BY cost, time, submit_time, id LIMIT 1;
  -- The case moved to another (dataset, user): that one's best too.
  INSERT INTO judge_best (dataset_id, user_id, case_id, cost, time, submit_time)
  SELECT dataset_id, user_id, id, cost, time, submit_time FROM cases
  WHERE dataset_id = NEW.dataset_id AND user_id = NEW.user_id AND valid = 1 AND status = 3
    AND (NEW.dataset_id <> OLD.dataset_id OR NEW.user_id <> OLD.user_id)
  ORDER BY cost, time, submit_time, id LIMIT 1;
END;

-- The leaderboard's whole order (case_id breaks the last ties): read in order, never sorted.
DROP INDEX judge_best_rank;
CREATE INDEX judge_best_rank ON judge_best(dataset_id, cost, time, submit_time, case_id);

-- Ranked from judge_best since 0003: nothing reads this one any more, and every verdict wrote it.
DROP INDEX cases_top;
