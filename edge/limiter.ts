import type { RequestCounter } from '../src/rest/rate-limit.js';
import type { DurableObjectNamespaceLike } from './durable.js';

interface Window {
  limit: number;
  windowMs: number;
}

/**
 * One client's count under one limit (an object per `scope:client`, as Cloudflare's chat demo
 * keeps one limiter per address): every isolate asks the same object, so the limit holds across
 * them. The window lives in memory; an object evicted starts a fresh one, as a restarted Node
 * process does.
 */
export class RateLimiter {
  private windowStart = 0;
  private count = 0;

  async fetch(request: Request): Promise<Response> {
    const { limit, windowMs } = (await request.json()) as Window;
    const t = Date.now();
    if (t - this.windowStart >= windowMs) {
      this.windowStart = t;
      this.count = 0;
    }
    this.count++;
    return new Response(this.count <= limit ? 'allow' : 'refuse');
  }
}

/** The app's rate limits counted in RateLimiter objects of the LIMITER binding. */
export function durableCounter(namespace: DurableObjectNamespaceLike): RequestCounter {
  return {
    async allow(scope, key, limit, windowMs) {
      const stub = namespace.get(namespace.idFromName(`${scope}:${key}`));
      const res = await stub.fetch('https://limiter/', { method: 'POST', body: JSON.stringify({ limit, windowMs } satisfies Window) });
      return (await res.text()) === 'allow';
    },
  };
}
