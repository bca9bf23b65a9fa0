import type { Client } from '../db/types.js';
import { ServiceError } from './errors.js';

const MAX_KEY = 256;
const TOO_MANY_FAILURES = 'Too many failed logins, try again later.';

export interface LoginLimits {
  /** Failures per login name within the window that lock it (0: no limit). */
  account: number;
  /** Failures from one client address within the window that lock it (0: no limit). */
  address: number;
  windowMs: number;
}

/**
 * The one limit on password guessing, for every door's password check (judge, social, quiz,
 * GraphQL, tRPC): failed checks counted per login name and per client address in the database,
 * so every gateway node and every edge isolate counts the same failures. `limit` failures within
 * the window lock that name or address for the window; a lock refuses the check before the
 * password is looked at (ServiceError `rate_limited`, which each door answers its own way). Names
 * that match no account count the same, so a lock says nothing about who exists. A correct
 * password clears its name's count (not its address's).
 */
export function loginGuard(db: Client, now: () => number, limits: LoginLimits) {
  const keys = (login: string, address: string | undefined) => {
    const out: { key: string; max: number }[] = [];
    if (limits.account > 0) out.push({ key: `account:${login.slice(0, MAX_KEY)}`, max: limits.account });
    if (limits.address > 0 && address) out.push({ key: `address:${address.slice(0, MAX_KEY)}`, max: limits.address });
    return out;
  };

  async function locked(list: { key: string }[]): Promise<boolean> {
    if (list.length === 0) return false;
    const rs = await db.execute({
      sql: `SELECT 1 FROM login_failures WHERE key IN (${list.map(() => '?').join(',')}) AND locked_until > ?`,
      args: [...list.map((k) => k.key), now()],
    });
    return rs.rows.length > 0;
  }

  /** One more failure of `key`, in one statement (a count older than the window starts again at 1): its number. */
  async function count(key: string, max: number): Promise<number> {
    const t = now();
    const r = await db.execute({
      sql: `INSERT INTO login_failures (key, failures, first_at, locked_until)
            VALUES (:key, 1, :now, CASE WHEN 1 >= :max THEN :until END)
            ON CONFLICT(key) DO UPDATE SET
              failures = CASE WHEN first_at <= :start THEN 1 ELSE failures + 1 END,
              first_at = CASE WHEN first_at <= :start THEN :now ELSE first_at END,
              locked_until = CASE WHEN (CASE WHEN first_at <= :start THEN 1 ELSE failures + 1 END) >= :max
                                  THEN :until ELSE locked_until END
            RETURNING failures`,
      args: { key, now: t, max, until: t + limits.windowMs, start: t - limits.windowMs },
    });
    return Number(r.rows[0]!.failures);
  }

  const refused = () => new ServiceError('rate_limited', TOO_MANY_FAILURES);

  return {
    /**
     * Runs `check` (a password or digest check: the user, or null for a wrong one) for `login`
     * from `address` under the limits. Attempts already in flight when a lock falls (a batch,
     * parallel requests) learn nothing either: a failure past the limit and a success once locked
     * both answer as the lock, so no more than the limit of outcomes is ever told; parallel
     * correct logins, which add no failures, all pass.
     */
    async attempt<T>(login: string, address: string | undefined, check: () => Promise<T | null>): Promise<T | null> {
      const list = keys(login, address);
      if (await locked(list)) throw refused();
      const user = await check();
      if (user === null) {
        let over = false;
        for (const { key, max } of list) if ((await count(key, max)) > max) over = true;
        if (over) throw refused();
        return null;
      }
      if (await locked(list)) throw refused();
      const account = list.find((k) => k.key.startsWith('account:'));
      if (account) await db.execute({ sql: 'DELETE FROM login_failures WHERE key = ?', args: [account.key] });
      return user;
    },

    /** Counts whose window and lock are both over. */
    async purge(): Promise<void> {
      const t = now();
      await db.execute({
        sql: 'DELETE FROM login_failures WHERE first_at <= ? AND (locked_until IS NULL OR locked_until <= ?)',
        args: [t - limits.windowMs, t],
      });
    },
  };
}

export type LoginGuard = ReturnType<typeof loginGuard>;
