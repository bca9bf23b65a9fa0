import { consoleLogger } from '../src/observe/logger.js';
import { noMetrics } from '../src/observe/metrics.js';
import { UNKNOWN_ADDRESS } from '../src/observe/request-context.js';
import { createClient } from '@libsql/client/web';
import { createApp, type App } from '../src/app.js';
import { memoryBus } from '../src/bus/memory.js';
import { databaseFetch } from '../src/db/remote.js';
import { loadConfig } from '../src/config.js';
import { createServices } from '../src/services/index.js';
import { r2BlobStore, type R2BucketLike } from './r2-blobs.js';

export interface Env {
  BLOBS: R2BucketLike;
  [name: string]: unknown;
}

let app: App | undefined;

/** Built once per isolate from the Worker's bindings; the database is a libSQL server (Turso). */
function appFor(env: Env): App {
  if (app) return app;
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const config = loadConfig(vars);
  // Workers keep what an isolate writes with console as its log: the same records as pino's on Node.
  const log = consoleLogger(config.LOG_LEVEL, { service: 'gateway' });
  const db = createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN, fetch: databaseFetch(log.child({ part: 'db' })) });
  const services = createServices({ db, blobs: r2BlobStore(env.BLOBS), bus: memoryBus(log), config, now: Date.now, log, metrics: noMetrics });
  app = createApp(services, { clientIp: (c) => c.req.header('cf-connecting-ip') ?? UNKNOWN_ADDRESS });
  return app;
}

export default {
  fetch(request: Request, env: Env, ctx: unknown): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx as never);
  },
};
