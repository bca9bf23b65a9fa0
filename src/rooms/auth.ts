import { resolveActor, resolveToken } from '../identity/request-auth.js';
import { noteRequestUser } from '../observe/request-context.js';
import type { Services } from '../services/index.js';
import type { User } from '../services/users.js';

/**
 * Who opens a socket: a `token` query parameter (a session id, or a JWT as GraphQL/tRPC use),
 * else a bearer/OAuth header or a legacy session cookie, else the training frontend's
 * `access_token` cookie (its token, sent by the browser on the gateway's host). Browsers cannot
 * set headers on a WebSocket, hence the parameter and the cookies; a token parameter that is
 * given and bad is not retried with the cookies.
 */
export async function socketUser(services: Services, req: Request, url = new URL(req.url)): Promise<User | null> {
  const token = url.searchParams.get('token');
  if (token === null) return resolveActor(services, req, { tokenCookie: true, cookies: sameOrigin(req, url) });
  const user = await resolveToken(services, token);
  noteRequestUser(req, user);
  return user;
}

/**
 * A browser sends this host's cookies on a socket opened by a page of any site (cross-site
 * WebSocket hijacking): cookies count only from a page of the gateway's own origin, or from a
 * client that sends no Origin (the old workers, scripts). Headers and the token parameter are
 * credentials a foreign page cannot borrow, so they count from anywhere.
 */
export function sameOrigin(req: Request, url = new URL(req.url)): boolean {
  const origin = req.headers.get('origin');
  if (origin === null) return true;
  try {
    return new URL(origin).host === url.host;
  } catch {
    return false;
  }
}

/** The last value of a query parameter (as FastAPI/Starlette read a scalar), or null. */
export function lastParam(url: URL, name: string): string | null {
  const all = url.searchParams.getAll(name);
  return all.length > 0 ? all[all.length - 1]! : null;
}
