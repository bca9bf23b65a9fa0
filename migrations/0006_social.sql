-- Spec 003 (social and events): the social profile of the one identity, friends, events.

-- One profile per user, 1:1 with users: every user has one (the trigger below), whichever API
-- created them, so FindByName and GetProfile see everyone.
CREATE TABLE social_profiles (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  -- Unicode lower-case copy of display_name, written by the service: SQLite's LOWER and LIKE fold
  -- ASCII only, so searches ("Иван" finds "иванов") compare this column with a folded needle.
  display_name_fold TEXT NOT NULL,
  -- 1 while display_name_fold is only SQLite's ASCII fold (rows made by the trigger); the service
  -- folds such rows properly before it searches.
  fold_stale INTEGER NOT NULL DEFAULT 0,
  bio TEXT NOT NULL DEFAULT '',
  karma INTEGER NOT NULL DEFAULT 0,
  pic_key TEXT,                        -- blob key of the profile picture (served under /media/)
  confirmed INTEGER NOT NULL DEFAULT 0,
  confirmation_key TEXT,               -- blob key of the record-book scan (private: admins only)
  confirmation_type TEXT,              -- its sniffed content type
  confirmation_at INTEGER,             -- epoch ms of the upload
  updated_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX social_profiles_stale ON social_profiles(user_id) WHERE fold_stale = 1;
CREATE INDEX social_profiles_unconfirmed ON social_profiles(confirmation_at) WHERE confirmation_key IS NOT NULL AND confirmed = 0;

CREATE TRIGGER users_social_profile AFTER INSERT ON users
BEGIN
  INSERT INTO social_profiles (user_id, display_name, display_name_fold, fold_stale)
  VALUES (NEW.id, NEW.username, lower(NEW.username), 1);
END;

INSERT INTO social_profiles (user_id, display_name, display_name_fold, fold_stale)
SELECT id, username, lower(username), 1 FROM users;

-- A request from one user to another, until it is accepted (-> friendship) or withdrawn.
CREATE TABLE social_friend_requests (
  from_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  to_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (from_id, to_id),
  CHECK (from_id <> to_id)
);
CREATE INDEX social_friend_requests_to ON social_friend_requests(to_id, created_at);

-- A friendship is stored once, as an ordered pair: the key makes "friends twice" impossible.
CREATE TABLE social_friendships (
  user_a TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_b TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_a, user_b),
  CHECK (user_a < user_b)
);
CREATE INDEX social_friendships_b ON social_friendships(user_b);

-- Events: time_from is the START and time_to the END (UNIX seconds), as the original code used
-- them; spec 003's document has the two labels swapped.
CREATE TABLE social_events (
  id TEXT PRIMARY KEY,                 -- UUID, lower-case with hyphens
  name TEXT NOT NULL UNIQUE,
  name_fold TEXT NOT NULL,             -- Unicode lower-case copy for GetEvents' search
  creator_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  time_from INTEGER NOT NULL,
  time_to INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX social_events_creator ON social_events(creator_id, created_at);
CREATE INDEX social_events_created ON social_events(created_at);

CREATE TABLE social_event_participants (
  event_id TEXT NOT NULL REFERENCES social_events(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX social_event_participants_user ON social_event_participants(user_id, joined_at);
