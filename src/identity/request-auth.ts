import { parse } from 'hono/utils/cookie';
import { noteRequestUser } from '../observe/request-context.js';

/** The session cookies of the legacy clients; GraphQL and tRPC accept any of them. */
export const SESSION_COOKIES = ['JSESSIONID', 'QUIZSID', 'sessionid', 'cms_session'] as const;

/**
 * The training frontend's (spec 001) own cookie: it keeps its token there (set by its script,
 * `path=/`) and sends it as `Authorization: OAuth <token>`. A browser on the gateway's host
 * sends it on a socket handshake, where the script cannot set a header; only sockets read it.
 */
const TOKEN_COOKIE = 'access_token';

/**
 * The schemes of an `Authorization` header that carry a gateway token: `Bearer` (GraphQL, tRPC)
 * and `OAuth` (the training frontend's, from its Yandex days). Scheme names are case-insensitive.
 */
const TOKEN_SCHEMES = ['bearer', 'oauth'];

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

/** A token the gateway issued: a JWT (GraphQL/tRPC `login`; it has dots) or a session id. */
export async function resolveToken<U>(services: ActorSources<U>, token: string): Promise<U | null> {
  if (token.includes('.')) {
    const userId = await services.tokens.verify(token);
    return userId ? services.users.byId(userId) : null;
  }
  return services.sessions.resolve(token);
}

/** The token of an `Authorization: Bearer|OAuth <token>` header; null for no header or another scheme. */
function headerToken(req: Request): string | null {
  const auth = req.headers.get('authorization')?.trim();
  if (!auth) return null;
  const space = auth.search(/\s/);
  if (space < 0 || !TOKEN_SCHEMES.includes(auth.slice(0, space).toLowerCase())) return null;
  return auth.slice(space + 1).trim();
}

/**
 * Who is calling GraphQL, tRPC, the training API or a socket: an `Authorization: Bearer` or
 * `OAuth` token (a JWT or a session id; a bad one is not retried with the cookies), else (unless
 * `cookies` is false) the first legacy session cookie that is live, else (`tokenCookie`: sockets
 * only) the training frontend's `access_token` cookie.
 */
export async function resolveActor<U extends { id: string }>(
  services: ActorSources<U>,
  req: Request,
  options: { tokenCookie?: boolean; cookies?: boolean } = {},
): Promise<U | null> {
  const user = await actorOf(services, req, options);
  noteRequestUser(req, user);
  return user;
}

async function actorOf<U>(services: ActorSources<U>, req: Request, options: { tokenCookie?: boolean; cookies?: boolean }): Promise<U | null> {
  const token = headerToken(req);
  if (token !== null) return resolveToken(services, token);
  const header = options.cookies === false ? null : req.headers.get('cookie');
  if (!header) return null;
  const cookies = parse(header);
  for (const name of SESSION_COOKIES) {
    const user = await services.sessions.resolve(cookies[name]);
    if (user) return user;
  }
  const frontend = options.tokenCookie ? cookies[TOKEN_COOKIE] : undefined;
  return frontend ? resolveToken(services, frontend) : null;
}
