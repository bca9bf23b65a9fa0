import { resolveActor } from '../identity/request-auth.js';
import type { Services } from '../services/index.js';
import type { User } from '../services/users.js';

/**
 * Who opens a socket: a `token` query parameter (a session id, or a JWT as GraphQL/tRPC use),
 * else a bearer header or a legacy session cookie. Browsers cannot set headers on a WebSocket,
 * hence the parameter; a token that is given and bad is not retried with the cookies.
 */
export async function socketUser(services: Services, req: Request, url = new URL(req.url)): Promise<User | null> {
  const token = url.searchParams.get('token');
  if (token !== null) {
    if (token.includes('.')) {
      const id = await services.tokens.verify(token);
      return id ? services.users.byId(id) : null;
    }
    return services.sessions.resolve(token);
  }
  return resolveActor(services, req);
}

/** The last value of a query parameter (as FastAPI/Starlette read a scalar), or null. */
export function lastParam(url: URL, name: string): string | null {
  const all = url.searchParams.getAll(name);
  return all.length > 0 ? all[all.length - 1]! : null;
}
