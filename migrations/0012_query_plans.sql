-- Indexes that give the hot statements their rows in their own order, so none walks a share of
-- the cases or sorts it (test/perf/query-plans.test.ts checks the plans).

-- The claim's oldest waiting case in full order (submit_time, then id): one covering index step.
DROP INDEX cases_queue;
CREATE INDEX cases_queue ON cases(status, submit_time, id);

-- A user's cases newest first with the id tie-break: a page reads its rows in order, and a deep
-- page skips its offset in this index alone.
DROP INDEX cases_user_submit;
CREATE INDEX cases_user_submit ON cases(user_id, submit_time DESC, id DESC);

-- Live leases only (lease_expires is NULL once a case is judged, given back or swept): the sweep,
-- every second and before every claim, finds the lapsed ones without reading the in-flight cases.
CREATE INDEX cases_lease ON cases(status, lease_expires) WHERE lease_expires IS NOT NULL;

-- Each user's valid finished cases per dataset in judge_best's order: its best is the first entry.
DROP INDEX cases_user_best;
CREATE INDEX cases_user_best ON cases(dataset_id, user_id, cost, time, submit_time, id) WHERE valid = 1 AND status = 3;

-- The purge finds the counts whose window is over instead of reading them all.
CREATE INDEX login_failures_first ON login_failures(first_at);
