import { consoleLogger } from '../src/observe/logger.js';
import type { App } from '../src/app.js';
import { type Env, gatewayFor } from './gateway.js';

// Durable Object classes are exported by the Worker's module (wrangler.toml binds them).
export { RateLimiter } from './limiter.js';
export { RoomObject } from './room-object.js';

/** The part of a Worker's ExecutionContext the handlers use. */
interface WorkerContext {
  waitUntil(work: Promise<unknown>): void;
}

/** A Worker that cannot start says why on every request, in one line, and in its log. */
function notStarted(err: unknown): Response {
  const message = err instanceof Error ? err.message : String(err);
  consoleLogger('error', { service: 'gateway' }, console.error).error({}, message);
  return new Response(`${message}\n`, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

export default {
  fetch(request: Request, env: Env, ctx: WorkerContext): Response | Promise<Response> {
    let app: App;
    try {
      app = gatewayFor(env).app;
    } catch (err) {
      return notStarted(err);
    }
    return app.fetch(request, env, ctx as never);
  },

  /** The Cron Trigger (wrangler.toml): what the Node host's timers do, once a minute. */
  scheduled(_controller: unknown, env: Env, ctx: WorkerContext): void {
    const { housekeeping } = gatewayFor(env).services;
    ctx.waitUntil(Promise.all([housekeeping.sweepLeases(), housekeeping.purge()]));
  },
};
