import type { Context } from 'hono';

/** How the host adapter tells the app who is calling (socket address on Node, CF header at the edge). */
export type ClientIp = (c: Context) => string;

/** A per-key fixed window counter, as the original's per-host limit of N requests a minute. */
export function fixedWindowLimiter(limit: number, windowMs: number, now: () => number) {
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
