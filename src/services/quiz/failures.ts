import type { Client } from '../../db/types.js';

const MAX_KEY = 256;

/**
 * Failed quiz logins per login name, in the database so that every gateway node counts the same
 * failures: `max` failures within `windowMs` lock the login for `windowMs` (counted for unknown
 * logins too, so a lock says nothing about who exists). `max` 0 turns it off. A correct password
 * clears the count.
 */
export function loginFailures(db: Client, now: () => number, max: number, windowMs: number) {
  const key = (login: string) => login.slice(0, MAX_KEY);
  return {
    async locked(login: string): Promise<boolean> {
      if (max === 0) return false;
      const r = (await db.execute({ sql: 'SELECT locked_until FROM quiz_login_failures WHERE login = ?', args: [key(login)] })).rows[0];
      return r !== undefined && r.locked_until !== null && Number(r.locked_until) > now();
    },

    /** One more failure; a count older than the window starts again at 1. */
    async record(login: string): Promise<void> {
      if (max === 0) return;
      const t = now();
      await db.execute({
        sql: `INSERT INTO quiz_login_failures (login, failures, first_at, locked_until)
              VALUES (:login, 1, :now, CASE WHEN 1 >= :max THEN :until END)
              ON CONFLICT(login) DO UPDATE SET
                failures = CASE WHEN first_at <= :start THEN 1 ELSE failures + 1 END,
                first_at = CASE WHEN first_at <= :start THEN :now ELSE first_at END,
                locked_until = CASE WHEN (CASE WHEN first_at <= :start THEN 1 ELSE failures + 1 END) >= :max
                                    THEN :until ELSE locked_until END`,
        args: { login: key(login), now: t, max, until: t + windowMs, start: t - windowMs },
      });
    },

    async clear(login: string): Promise<void> {
      if (max === 0) return;
      await db.execute({ sql: 'DELETE FROM quiz_login_failures WHERE login = ?', args: [key(login)] });
    },

    /** Counts whose window and lock are both over. */
    async purge(): Promise<void> {
      const t = now();
      await db.execute({
        sql: 'DELETE FROM quiz_login_failures WHERE first_at <= ? AND (locked_until IS NULL OR locked_until <= ?)',
        args: [t - windowMs, t],
      });
    },
  };
}
