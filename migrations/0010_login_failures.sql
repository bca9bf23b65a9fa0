-- Failed password checks of every door (judge, social, quiz, GraphQL, tRPC), shared by every
-- gateway node and the edge through the database: `key` is `account:<login name>` or
-- `address:<client address>`; `failures` counted since `first_at`; at the limit the key is
-- refused until `locked_until` (epoch ms). The quiz's own counts become account keys.
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  locked_until INTEGER
);
INSERT INTO login_failures (key, failures, first_at, locked_until)
  SELECT 'account:' || login, failures, first_at, locked_until FROM quiz_login_failures;
DROP TABLE quiz_login_failures;
