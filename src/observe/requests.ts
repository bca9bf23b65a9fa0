import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { beginRequest, requestUser } from './request-context.js';

/** A caller's own request id is kept when it is a plain token; anything else gets a fresh one. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** Which door answered, from the route pattern that answered (each router's patterns, registered when it is mounted). */
export type DoorOf = (route: string) => string;

/** Called once a request is answered, with the route pattern that answered it and its status. */
export type Answered = (route: string, status: number) => void;

/** Starts observing one request from the client at `address`: what to call once it is answered. */
export type ObserveRequest = (req: Request, address: string) => Answered;

/**
 * One log record and one metric per answered request: request id, method, route pattern (never
 * the raw path or query, which may carry tokens), status, latency, and the user when a door
 * resolved one. Headers and bodies are never logged. The app's middleware and a host serving a
 * door with its own adapter (Node's GraphQL) both observe through this.
 */
export function requestObserver(log: Logger, metrics: Metrics, doorOf: DoorOf): ObserveRequest {
  return (req, address) => {
    const started = performance.now();
    const incoming = req.headers.get('x-request-id');
    const reqId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    beginRequest(req, log, reqId, address);
    return (route, status) => {
      const seconds = (performance.now() - started) / 1000;
      const door = doorOf(route);
      metrics.request({ door, route, method: req.method, status }, seconds);
      const fields = { reqId, door, method: req.method, route, status, ms: Math.round(seconds * 10000) / 10, userId: requestUser(req) };
      if (status >= 500) log.error(fields, 'request failed');
      else log.info(fields, 'request');
    };
  };
}

/** The app's requests observed: after the chain, the route index is the handler that answered. */
export function observeRequests(observe: ObserveRequest, addressOf: (c: Context) => string): MiddlewareHandler {
  return async (c, next) => {
    const answered = observe(c.req.raw, addressOf(c));
    await next();
    answered(routePath(c) || 'unmatched', c.res.status);
  };
}
