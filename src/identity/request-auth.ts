import { parse } from 'hono/utils/cookie';

/** The session cookies of the legacy clients; GraphQL and tRPC accept any of them. */
export const SESSION_COOKIES = ['JSESSIONID', 'QUIZSID', 'sessionid', 'cms_session'] as const;

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.get('cookie');
  return header ? parse(header, name)[name] : undefined;
}

/**
 * What resolveActor reads callers with (the services satisfy it structurally): `U` is whatever
 * a user is to the caller, so identity depends on nothing above it.
 */
export interface ActorSources<U> {
  tokens: { verify(token: string): Promise<string | null> };
  users: { byId(id: string): Promise<U | null> };
  sessions: { resolve(id: string | undefined): Promise<U | null> };
}

/** Who is calling GraphQL or tRPC: a bearer JWT, else the first legacy session cookie that is live. */
export async function resolveActor<U>(services: ActorSources<U>, req: Request): Promise<U | null> {
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
