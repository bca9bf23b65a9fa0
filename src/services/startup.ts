import type { Config } from '../config.js';
import { randomBytes, toBase64 } from '../identity/encoding.js';
import type { Logger } from '../observe/logger.js';
import { ServiceError } from './errors.js';
import type { Services } from './index.js';

/**
 * What every long-running host (Node, Deno) does once its services exist: ROOT created on a fresh
 * database (from ROOT_PASSWORD, or generated and logged: the one password ever logged, the
 * operator's only way to learn it), and the legacy room mode's warning.
 */
export async function announceStart(services: Services, config: Config, log: Logger): Promise<void> {
  const rootPassword = config.ROOT_PASSWORD ?? toBase64(randomBytes(12)).replace(/\+/g, '-').replace(/\//g, '_');
  const { created } = await services.users.ensureRoot(config.ROOT_USERNAME, rootPassword);
  if (created && !config.ROOT_PASSWORD) log.warn({}, `created ROOT user '${config.ROOT_USERNAME}' with password: ${rootPassword}`);
  else if (created) log.info({}, `created ROOT user '${config.ROOT_USERNAME}'`);
  if (config.ROOMS_TRUST_USER_ID === '1') {
    log.warn(
      {},
      'WARNING: ROOMS_TRUST_USER_ID=1: room sockets trust the user_id parameter (legacy mode): anyone may join any lobby or training room as anyone',
    );
  }
}

/**
 * The periodic jobs on timers (Node, Deno; the edge runs them from its Cron Trigger): the lease
 * sweep every second, the purge every ten minutes. A failure is logged, but not the database
 * being away: its outage has a line of its own. `unref` keeps a timer from holding the process up
 * (each runtime has its own). Returns what stops them.
 */
export function startHousekeeping(services: Services, log: Logger, unref: (timer: ReturnType<typeof setInterval>) => void): () => void {
  const failed = (what: string) => (err: unknown) => {
    if (!(err instanceof ServiceError && err.kind === 'unavailable')) log.error({ err }, `${what} failed`);
  };
  const timers = [
    setInterval(() => services.housekeeping.sweepLeases().catch(failed('lease sweep')), 1000),
    setInterval(() => services.housekeeping.purge().catch(failed('session purge')), 10 * 60_000),
  ];
  for (const t of timers) unref(t);
  return () => {
    for (const t of timers) clearInterval(t);
  };
}
