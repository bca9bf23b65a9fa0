-- Spec 003's marking sockets (/ws/mark_me, /ws/marking): who waits to be marked at an event, which
-- marker socket holds whom, every marking (attendance), and the room's change log. The database is
-- the authority across gateway nodes: every change is one conditional write in one transaction,
-- so two markers on two nodes cannot both take the same person, and a person is marked once.

-- One row per person waiting at an event (an open /ws/mark_me socket): on the list while no marker
-- socket holds them, held by at most one. Rows live while their node renews the leases (a killed
-- node's rows and holds run out and are swept by the nodes still serving the room).
CREATE TABLE marking_waiters (
  event_id TEXT NOT NULL REFERENCES social_events(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  socket_id TEXT NOT NULL,               -- the mark_me socket (ids are unique across nodes)
  since INTEGER NOT NULL,                -- epoch ms it joined the list: the list's order
  lease_until INTEGER NOT NULL,          -- epoch ms; renewed while the socket is open
  holder_socket TEXT,                    -- the marker socket that prepared them; NULL: on the list
  holder_id TEXT,                        -- that marker's user id
  hold_until INTEGER,                    -- epoch ms; renewed while the marker socket is open
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX marking_waiters_socket ON marking_waiters(socket_id);
CREATE INDEX marking_waiters_holder ON marking_waiters(holder_socket) WHERE holder_socket IS NOT NULL;

-- Attendance: who was marked at which event, by whom, when. A person is marked once per event.
CREATE TABLE markings (
  event_id TEXT NOT NULL REFERENCES social_events(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  marker_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  marked_at INTEGER NOT NULL,            -- epoch ms
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX markings_user ON markings(user_id, marked_at);
CREATE INDEX markings_marker ON markings(marker_id);

-- Each room's last change number, and its recent changes in commit order: nodes deliver the
-- changes to their sockets in this order, and read here what the bus did not bring them.
CREATE TABLE marking_rooms (
  event_id TEXT PRIMARY KEY REFERENCES social_events(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL
);
CREATE TABLE marking_log (
  event_id TEXT NOT NULL REFERENCES social_events(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('joined', 'left', 'held', 'released', 'marked')),
  user_id TEXT NOT NULL,                 -- the waiting person
  socket_id TEXT,                        -- held / released: the marker socket; left: its holder, if held
  by_id TEXT,                            -- held / marked: the marker
  at INTEGER NOT NULL,                   -- epoch ms (old entries are pruned)
  PRIMARY KEY (event_id, seq)
) WITHOUT ROWID;
