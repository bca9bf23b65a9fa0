import type { Logger } from '../src/observe/logger.js';

/** The first retry waits this long, each next one twice as long, up to MAX_MS. */
const FIRST_MS = 1000;
const MAX_MS = 30_000;
/** Up to this share of a delay is taken off at random, so judges cut off together do not retry in step. */
const JITTER = 0.2;

/** The delay before retry number `attempt` (1, 2, ...): 1 s, 2 s, 4 s, ... 30 s at most, less jitter. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_MS, FIRST_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 16));
  return Math.round(base * (1 - JITTER * random()));
}

/** Says why and waits before retry `attempt`; an abort ends the wait at once. */
export function pauseBeforeRetry(attempt: number, err: unknown, log: Logger, signal?: AbortSignal): Promise<void> {
  const ms = retryDelay(attempt);
  const why = err instanceof Error ? err.message : String(err);
  log.warn({ attempt, retryMs: ms }, `gateway unreachable (${why}); retry ${attempt} in ${(ms / 1000).toFixed(1)} s`);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
