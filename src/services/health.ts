import type { Deps } from './deps.js';

/**
 * The gateway's health checks, for the doors that report them (`/healthz`, spec 001's
 * `/health/ping-*`): each answers what it found and never throws for a transport that is down.
 */
export function healthService({ db, bus }: Pick<Deps, 'db' | 'bus'>) {
  return {
    /** How many migrations the database has applied; null when it does not answer. */
    async migrations(): Promise<number | null> {
      try {
        const rs = await db.execute('SELECT COUNT(*) AS n FROM schema_migrations');
        return Number(rs.rows[0]!.n);
      } catch {
        return null;
      }
    },

    /** Whether the database answers a trivial query. */
    async pingDatabase(): Promise<boolean> {
      try {
        await db.execute('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },

    /** Whether the bus answers (Redis: a PING); a bus without a ping (in-process) always does. */
    async pingBus(): Promise<boolean> {
      return bus.ping ? await bus.ping().catch(() => false) : true;
    },
  };
}
