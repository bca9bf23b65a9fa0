-- Spec 001, the training backend's later versions (the frontend relies on them): the contest a
-- team's lobby selected, from its CONTEST_SELECTED frames, read by GET /lobby/{team_id}/selected-contest.
CREATE TABLE lobby_contests (
  team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
  contest_json TEXT NOT NULL,             -- contestId as the client sent it (a string or an integer), as JSON
  updated_at INTEGER NOT NULL
);
