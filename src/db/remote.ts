import type { Logger } from '../observe/logger.js';
import { ServiceError } from '../services/errors.js';

export const DATABASE_UNAVAILABLE = 'Database unavailable';

/** The longest one exchange with a libSQL server may take: a hung server must not hold a request. */
const EXCHANGE_TIMEOUT_MS = 5000;

/** Answers of a proxy in front of the server (Turso's, a load balancer) that say it is not there. */
const AWAY_STATUSES = new Set([502, 503, 504]);

/**
 * The fetch that @libsql/client's HTTP transport (libsql://, http://) runs on. Left alone, a
 * server that is down throws undici's TypeError (a 500 "unexpected error", with a stack, on every
 * request) and one that hangs holds each request forever. Here each exchange, its body included,
 * is bounded in time, and a server that cannot be reached (refused, reset, timed out, or a proxy's
 * 502-504) throws the service error `unavailable`, which every door answers as its own 503. The
 * outage is logged once when it begins and once when the server answers again.
 */
export function databaseFetch(log: Logger, timeoutMs = EXCHANGE_TIMEOUT_MS): (request: Request) => Promise<Response> {
  let away = false;
  return async (request) => {
    let res: Response;
    let body: ArrayBuffer;
    try {
      res = await fetch(request, { signal: AbortSignal.timeout(timeoutMs) });
      body = await res.arrayBuffer();
      if (AWAY_STATUSES.has(res.status)) throw new Error(`HTTP ${res.status} from ${new URL(request.url).host}`);
    } catch (err) {
      if (!away) log.warn({ err }, 'database unavailable (further failures not logged until it answers)');
      away = true;
      throw new ServiceError('unavailable', DATABASE_UNAVAILABLE);
    }
    if (away) log.info({}, 'database answers again');
    away = false;
    return new Response(body.byteLength > 0 ? body : null, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
