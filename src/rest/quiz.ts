import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { ServiceError, type ErrorKind } from '../services/errors.js';
import type { Services } from '../services/index.js';
import { FORBIDDEN } from '../services/quiz/index.js';
import { NOT_FOUND_HTML, QuizWireError, readAuthorizeBody, wire, wireError, wireUser } from './quiz-wire.js';
import { logFault, requestAddress } from '../observe/request-context.js';

const COOKIE = 'QUIZSID';
/** A login body is a few hundred bytes; the original took up to 4 MB. */
const BODY_LIMIT = 16 * 1024;

const CODE: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  // The original's own answer to a caller over a limit (its guests over 10 requests an hour).
  rate_limited: 403,
  unavailable: 503,
};

/** The original's CORS preflight answer (its QuizMiddleware), for any path. */
const PREFLIGHT = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'content-type': 'text/html; charset=utf-8',
  'access-control-max-age': '1728000',
};

/** The routes and the methods werkzeug allowed on each (GET brings HEAD). */
const ROUTES: Record<string, string> = { '/authorize': 'GET, HEAD, POST', '/authorize/status': 'GET, HEAD' };

/**
 * Spec 002, quiz authorization, under /v1: the original's wire format (LEGACY-NOTES part A)
 * in front of the quiz service. The session is the `QUIZSID` cookie, or the `sid` query
 * parameter, which replaces the cookie when present (the original's middleware did exactly that).
 */
export function quizRouter(services: Services) {
  const { quiz } = services;
  const app = new Hono();

  const sessionId = (c: Context): string | undefined => c.req.query('sid') ?? getCookie(c, COOKIE);

  app.onError((err, c) => {
    if (err instanceof QuizWireError) return wireError(c, err.status, err.description);
    if (err instanceof ServiceError) {
      return wireError(c, CODE[err.kind], err.kind === 'rate_limited' ? FORBIDDEN : err.message);
    }
    logFault(c.req.raw, err);
    return wireError(c, 500, 'INTERNAL SERVER ERROR');
  });

  app.use('*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return c.body('', 200, PREFLIGHT);
    await next();
    // The original added this to every answer but its HTML 404. (Not its
    // Access-Control-Allow-Credentials: browsers refuse it beside `*`, and cross-site clients use ?sid=.)
    if (c.res.status !== 404) c.res.headers.set('access-control-allow-origin', '*');
  });

  app.post(
    '/authorize',
    bodyLimit({
      maxSize: BODY_LIMIT,
      onError: (c) => wireError(c, 413, '<p>The data value transmitted exceeds the capacity limit.</p>'),
    }),
  );

  app.get('/authorize', async (c) => wire(c, { nonce: await quiz.nonce(), status: 401 }));

  app.post('/authorize', async (c) => {
    const input = await readAuthorizeBody(c);
    const { sid, user } = await quiz.authorize(input, sessionId(c), requestAddress(c.req.raw));
    setCookie(c, COOKIE, sid, { path: '/', httpOnly: true, sameSite: 'Lax' });
    return wire(c, { status: 200, user: wireUser(user), sid });
  });

  app.get('/authorize/status', async (c) => {
    const user = await quiz.statusOfSession(sessionId(c));
    return wire(c, { status: 200, user: wireUser(user) });
  });

  // A known path with another method: werkzeug's 405, wrapped in the envelope like any HTTP error.
  for (const [path, allow] of Object.entries(ROUTES)) {
    app.all(path, (c) => wireError(c, 405, `<p>The method ${escapeHtml(c.req.method)} is not allowed for the requested URL.</p>`, { allow }));
  }
  // Anything else: werkzeug's HTML 404, a real 404, as the original (it did not wrap those).
  app.all('*', (c) => c.body(NOT_FOUND_HTML, 404, { 'content-type': 'text/html' }));
  return app;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
