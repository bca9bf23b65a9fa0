import type { Context } from 'hono';

/** How the host adapter tells the app who is calling (socket address on Node, CF header at the edge). */
export type ClientIp = (c: Context) => string;

/**
 * Requests counted per client in fixed windows, as the original's per-host limit of N requests a
 * minute; `scope` keeps one limit's counts apart from another's. The host says where the counts
 * live: one process's memory (Node, Deno), or at the edge a Durable Object per client, so that
 * every isolate counts the same requests.
 */
export interface RequestCounter {
  allow(scope: string, key: string, limit: number, windowMs: number): Promise<boolean>;
}

/** A per-key fixed window counter in memory. */
function fixedWindowLimiter(limit: number, windowMs: number, now: () => number) {
  let windowStart = now();
  let counts = new Map<string, number>();
  return {
    allow(key: string): boolean {
      const t = now();
      if (t - windowStart >= windowMs) {
        windowStart = t;
        counts = new Map(); // dropping the old window keeps memory bounded by one window's callers
      }
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n <= limit;
    },
  };
}

/** The counts in this process's memory: one window counter per scope. */
export function memoryCounter(now: () => number): RequestCounter {
  const scopes = new Map<string, ReturnType<typeof fixedWindowLimiter>>();
  return {
    async allow(scope, key, limit, windowMs) {
      let limiter = scopes.get(scope);
      if (!limiter) scopes.set(scope, (limiter = fixedWindowLimiter(limit, windowMs, now)));
      return limiter.allow(key);
    },
  };
}
