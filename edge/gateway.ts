import { createClient } from '@libsql/client/web';
import { createApp, type App } from '../src/app.js';
import { memoryBus } from '../src/bus/memory.js';
import { loadConfig } from '../src/config.js';
import { databaseFetch } from '../src/db/remote.js';
import { consoleLogger } from '../src/observe/logger.js';
import { noMetrics } from '../src/observe/metrics.js';
import { UNKNOWN_ADDRESS } from '../src/observe/request-context.js';
import type { RoomKind } from '../src/rooms/actor.js';
import { roomKinds } from '../src/rooms/kinds.js';
import { createServices, type Services } from '../src/services/index.js';
import type { DurableObjectNamespaceLike } from './durable.js';
import { durableCounter } from './limiter.js';
import { r2BlobStore, type R2BucketLike } from './r2-blobs.js';
import { roomBus } from './room-bus.js';
import { durableRooms } from './room-routes.js';

export interface Env {
  BLOBS: R2BucketLike;
  /** RateLimiter objects: the rate limits counted across isolates. */
  LIMITER: DurableObjectNamespaceLike;
  /** RoomObject objects: one per room, owning its sockets. */
  ROOMS: DurableObjectNamespaceLike;
  [name: string]: unknown;
}

/**
 * The secrets a Worker cannot start without (`wrangler secret put <NAME>`): without JWT_SECRET
 * each isolate would sign tokens with a key of its own, and a token from one isolate would be
 * refused by the next.
 */
const REQUIRED_SECRETS = ['JWT_SECRET'] as const;

export interface Gateway {
  app: App;
  services: Services;
  kinds: readonly RoomKind[];
}

let gateway: Gateway | undefined;

/**
 * Built once per isolate from the Worker's bindings (the Worker's and its Durable Objects'
 * alike); the database is a libSQL server (Turso).
 */
export function gatewayFor(env: Env): Gateway {
  if (gateway) return gateway;
  const missing = REQUIRED_SECRETS.filter((name) => typeof env[name] !== 'string' || env[name] === '');
  if (missing.length > 0) throw new Error(`Worker not started: set ${missing.join(', ')} (wrangler secret put ${missing[0]})`);
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const config = loadConfig(vars);
  // Workers keep what an isolate writes with console as its log: the same records as pino's on Node.
  const log = consoleLogger(config.LOG_LEVEL, { service: 'gateway' });
  const db = createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN, fetch: databaseFetch(log.child({ part: 'db' })) });
  // Each isolate's bus is its own (partial): sessions and the dataset list are read from the
  // database every time, so a logout or an add in one isolate holds in the next request anywhere.
  // Room messages go to the room's object, wherever it runs.
  const services = createServices({
    db,
    blobs: r2BlobStore(env.BLOBS),
    bus: roomBus(memoryBus(log, { partial: true }), env.ROOMS, log),
    config,
    now: Date.now,
    log,
    metrics: noMetrics,
  });
  const kinds = roomKinds(services);
  const app = createApp(services, {
    clientIp: (c) => c.req.header('cf-connecting-ip') ?? UNKNOWN_ADDRESS,
    counter: durableCounter(env.LIMITER),
    rooms: durableRooms(env.ROOMS, kinds, { services, config }),
  });
  gateway = { app, services, kinds };
  return gateway;
}
