import { parse } from 'hono/utils/cookie';
import type { Services } from '../services/index.js';
import type { User } from '../services/users.js';

/** The session cookies of the legacy clients; GraphQL and tRPC accept any of them. */
export const SESSION_COOKIES = ['JSESSIONID', 'QUIZSID', 'sessionid', 'cms_session'] as const;

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.get('cookie');
  return header ? parse(header, name)[name] : undefined;
}

/** Who is calling GraphQL or tRPC: a bearer JWT, else the first legacy session cookie that is live. */
export async function resolveActor(services: Services, req: Request): Promise<User | null> {
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) {
    const userId = await services.tokens.verify(auth.slice(7).trim());
    return userId ? services.users.byId(userId) : null;
  }
  const header = req.headers.get('cookie');
  if (!header) return null;
  const cookies = parse(header);
  for (const name of SESSION_COOKIES) {
    const user = await services.sessions.resolve(cookies[name]);
    if (user) return user;
  }
  return null;
}
