import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { beginRequest, requestUser } from './request-context.js';

/** A caller's own request id is kept when it is a plain token; anything else gets a fresh one. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** Which door answered, from the route pattern that answered (each router's patterns, registered when it is mounted). */
export type DoorOf = (route: string) => string;

/**
 * One log record and one metric per answered request: request id, method, route pattern (never
 * the raw path or query, which may carry tokens), status, latency, and the user when a door
 * resolved one. Headers and bodies are never logged.
 */
export function observeRequests(log: Logger, metrics: Metrics, doorOf: DoorOf, addressOf: (c: Context) => string): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const reqId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    beginRequest(c.req.raw, log.child({ reqId }), addressOf(c));
    await next();
    const seconds = (performance.now() - started) / 1000;
    // After the chain, the route index is the handler that answered.
    const route = routePath(c) || 'unmatched';
    const door = doorOf(route);
    const status = c.res.status;
    metrics.request({ door, route, method: c.req.method, status }, seconds);
    const fields = { reqId, door, method: c.req.method, route, status, ms: Math.round(seconds * 10000) / 10, userId: requestUser(c.req.raw) };
    if (status >= 500) log.error(fields, 'request failed');
    else log.info(fields, 'request');
  };
}
