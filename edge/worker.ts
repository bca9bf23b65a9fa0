import { consoleLogger } from '../src/observe/logger.js';
import { noMetrics } from '../src/observe/metrics.js';
import { UNKNOWN_ADDRESS } from '../src/observe/request-context.js';
import { createClient } from '@libsql/client/web';
import { createApp, type App } from '../src/app.js';
import { memoryBus } from '../src/bus/memory.js';
import { databaseFetch } from '../src/db/remote.js';
import { loadConfig } from '../src/config.js';
import { createServices, type Services } from '../src/services/index.js';
import { type DurableObjectNamespaceLike, durableCounter } from './limiter.js';
import { r2BlobStore, type R2BucketLike } from './r2-blobs.js';

// Durable Object classes are exported by the Worker's module (wrangler.toml binds them).
export { RateLimiter } from './limiter.js';

export interface Env {
  BLOBS: R2BucketLike;
  /** RateLimiter objects: the rate limits counted across isolates. */
  LIMITER: DurableObjectNamespaceLike;
  [name: string]: unknown;
}

/** The part of a Worker's ExecutionContext the handlers use. */
interface WorkerContext {
  waitUntil(work: Promise<unknown>): void;
}

/**
 * The secrets a Worker cannot start without (`wrangler secret put <NAME>`): without JWT_SECRET
 * each isolate would sign tokens with a key of its own, and a token from one isolate would be
 * refused by the next.
 */
const REQUIRED_SECRETS = ['JWT_SECRET'] as const;

interface Gateway {
  app: App;
  services: Services;
}

let gateway: Gateway | undefined;

/** Built once per isolate from the Worker's bindings; the database is a libSQL server (Turso). */
function gatewayFor(env: Env): Gateway {
  if (gateway) return gateway;
  const missing = REQUIRED_SECRETS.filter((name) => typeof env[name] !== 'string' || env[name] === '');
  if (missing.length > 0) throw new Error(`Worker not started: set ${missing.join(', ')} (wrangler secret put ${missing[0]})`);
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const config = loadConfig(vars);
  // Workers keep what an isolate writes with console as its log: the same records as pino's on Node.
  // Each isolate's bus is its own (partial): sessions and the dataset list are read from the
  // database every time, so a logout or an add in one isolate holds in the next request anywhere.
  const log = consoleLogger(config.LOG_LEVEL, { service: 'gateway' });
  const db = createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN, fetch: databaseFetch(log.child({ part: 'db' })) });
  const services = createServices({
    db,
    blobs: r2BlobStore(env.BLOBS),
    bus: memoryBus(log, { partial: true }),
    config,
    now: Date.now,
    log,
    metrics: noMetrics,
  });
  const app = createApp(services, {
    clientIp: (c) => c.req.header('cf-connecting-ip') ?? UNKNOWN_ADDRESS,
    counter: durableCounter(env.LIMITER),
  });
  gateway = { app, services };
  return gateway;
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
