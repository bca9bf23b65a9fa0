import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Services } from '../services/index.js';
import type { CaseView, LeaderboardEntry } from '../services/judge/case-view.js';
import { CSRF_COOKIE, CSRF_HEADER, checkCsrfPair, newCsrfToken } from '../services/judge/csrf.js';
import type { ClientIp, RequestCounter } from './rate-limit.js';
import { jacksonDate } from '../wire/spring.js';
import { HOME_PAGE, HOME_PAGE_HEADERS, intParam, judgeErrorResponse, readJsonBody, springError, TOO_MANY_REQUESTS } from './judge-wire.js';
import { noteRequestUser, requestAddress } from '../observe/request-context.js';

const COOKIE = 'JSESSIONID';

const caseJson = (v: CaseView) => ({ ...v, submitTime: jacksonDate(v.submitTime), judgeTime: jacksonDate(v.judgeTime) });
const topJson = (e: LeaderboardEntry) => ({ ...e, submitTime: jacksonDate(e.submitTime) });
// The service hands back the same list until the ranking changes: its JSON is written once.
const topBodies = new WeakMap<readonly LeaderboardEntry[], string>();

/**
 * Spec 004, the CARP judge API: `api` under /api (parse, find the session, call a service,
 * shape), and `home`, the pages an old worker's `init_url` names (the site root, /api, /api/),
 * which hand out the CSRF cookie. One rate limit for both, on /api paths only, as the
 * original's filter on `/api/*`.
 */
export function judgeRouters(services: Services, clientIp: ClientIp, counter: RequestCounter) {
  const limit = services.deps.config.RATE_LIMIT_PER_MINUTE;
  let rateLimit: MiddlewareHandler | null = null;
  if (limit > 0) {
    rateLimit = async (c, next) => {
      if (!(await counter.allow('judge', clientIp(c), limit, 60_000))) return springError(c, 429, TOO_MANY_REQUESTS);
      await next();
    };
  }
  return { home: homeRouter(rateLimit), api: apiRouter(services, rateLimit) };
}

const HOME_PATHS = ['/', '/api', '/api/'];

/**
 * What Spring answered for the site root (its welcome page, static/index.html) with the CSRF
 * filter in front: 200 and `Set-Cookie: XSRF-TOKEN=<uuid>; Path=/`, the answer's only cookie,
 * so it is the first `Set-Cookie` the final old worker reads. A fresh token every time (Spring
 * sent none to a request that already had the cookie; the worker then failed to find one).
 * HEAD is GET without the body (Hono); other methods are Spring's 405.
 */
function homeRouter(rateLimit: MiddlewareHandler | null) {
  const app = new Hono();
  app.onError((err, c) => judgeErrorResponse(c, err));
  if (rateLimit) for (const path of HOME_PATHS.filter((p) => p.startsWith('/api'))) app.use(path, rateLimit);
  for (const path of HOME_PATHS) {
    app.get(path, (c) => {
      setCookie(c, CSRF_COOKIE, newCsrfToken(), { path: '/' });
      return c.html(HOME_PAGE, 200, HOME_PAGE_HEADERS);
    });
    app.all(path, (c) => {
      c.header('Allow', 'GET, HEAD');
      return springError(c, 405, `Request method '${c.req.method}' not supported`);
    });
  }
  return app;
}

function apiRouter(services: Services, rateLimit: MiddlewareHandler | null) {
  const { judge, sessions } = services;
  const app = new Hono();
  const actorOf = async (c: Context) => {
    const user = await sessions.resolve(getCookie(c, COOKIE));
    noteRequestUser(c.req.raw, user);
    return user;
  };

  app.onError((err, c) => judgeErrorResponse(c, err));
  app.notFound((c) => springError(c, 404, 'No message available'));

  if (rateLimit) app.use('*', rateLimit);
  const limitBody = bodyLimit({
    maxSize: services.deps.config.BODY_LIMIT_BYTES,
    onError: (c) => springError(c, 413, 'Request body too large!'),
  });
  // Only on methods that carry a body: reading `body` on a GET would make the Node adapter
  // build a full Request object for nothing, on the hottest routes.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody);

  app.post('/login', async (c) => {
    // Spring's CSRF filter ran before anything else: a bad pair is refused before the body is read.
    await checkCsrfPair(getCookie(c, CSRF_COOKIE), c.req.header(CSRF_HEADER));
    const body = await readJsonBody(c, { username: 'string', password: 'string' });
    const { user, session } = await judge.accounts.login(await actorOf(c), body, requestAddress(c.req.raw));
    setCookie(c, COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'Lax' });
    return c.json({ uid: user.id, type: user.judgeType });
  });

  app.get('/logout', async (c) => {
    const sid = getCookie(c, COOKIE);
    const result = await judge.accounts.logout(await actorOf(c), sid);
    deleteCookie(c, COOKIE, { path: '/' });
    return c.json(result);
  });

  app.get('/user/info', async (c) => c.json(judge.accounts.info(await actorOf(c))));

  app.post('/user/change/password', async (c) => {
    const body = await readJsonBody(c, { old: 'string', new: 'string' });
    return c.json(await judge.accounts.changeOwnPassword(await actorOf(c), body, requestAddress(c.req.raw)));
  });

  app.post('/admin/user/add', async (c) => {
    const body = await readJsonBody(c, { username: 'string', password: 'string', type: 'int' });
    return c.json(await judge.accounts.addUser(await actorOf(c), body));
  });

  app.post('/admin/user/change/password', async (c) => {
    const body = await readJsonBody(c, { username: 'string', password: 'string' });
    return c.text(await judge.accounts.setUserPassword(await actorOf(c), body));
  });

  app.get('/system/addtestdata', async (c) => c.text(await judge.testData.add(await actorOf(c))));

  app.post('/dataset/add', async (c) => {
    const body = await readJsonBody(c, { name: 'string', time: 'int', memory: 'int', cpu: 'int', data: 'string' });
    return c.json(await judge.datasets.add(await actorOf(c), body));
  });

  // The list is cached by the service; its JSON is kept beside it, keyed by the same array.
  const datasetsJson = new WeakMap<object, string>();
  app.get('/dataset/all', async (c) => {
    const list = await judge.datasets.list(await actorOf(c));
    let body = datasetsJson.get(list);
    if (body === undefined) datasetsJson.set(list, (body = JSON.stringify({ datasets: list })));
    return c.body(body, 200, { 'content-type': 'application/json' });
  });

  app.get('/judge/get', async (c) => {
    const actor = await actorOf(c);
    const { carpCases, total } = await judge.cases.page(actor, intParam(c, 'page', 0), intParam(c, 'size', 20));
    return c.json({ carpCases: carpCases.map(caseJson), total });
  });

  app.get('/judge/query', async (c) => c.json(caseJson(await judge.cases.byId(await actorOf(c), c.req.query('cid')))));

  // The document names the parameter `did`; the original server read `dataset`. Both work.
  app.get('/judge/top', async (c) => {
    const top = await judge.cases.leaderboard(await actorOf(c), c.req.query('did') ?? c.req.query('dataset'));
    let body = topBodies.get(top);
    if (body === undefined) {
      body = JSON.stringify({ carpCases: top.map(topJson) });
      topBodies.set(top, body);
    }
    return c.body(body, 200, { 'content-type': 'application/json' });
  });

  app.get('/judge/remain', async (c) => c.json(await judge.cases.remain(await actorOf(c))));

  app.post('/judge/submit', async (c) => {
    const body = await readJsonBody(c, { dataset: 'string', data: 'string' });
    return c.json(await judge.submissions.submit(await actorOf(c), body));
  });

  // Spring answered a known path with the wrong method by 405, not 404. Only the routes' own
  // paths: middleware (`use`, method ALL, path `/*`) would otherwise turn every unknown path into a 405.
  // Its Allow header lists the path's methods (HEAD with GET), as Spring's exception resolver did.
  const allowed = new Map<string, string[]>();
  for (const r of app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*'))) {
    const methods = allowed.get(r.path) ?? [];
    for (const m of r.method === 'GET' ? ['GET', 'HEAD'] : [r.method]) if (!methods.includes(m)) methods.push(m);
    allowed.set(r.path, methods);
  }
  for (const [path, methods] of allowed) {
    app.all(path, (c) => {
      c.header('Allow', methods.join(', '));
      return springError(c, 405, `Request method '${c.req.method}' not supported`);
    });
  }
  // A mounted app's notFound is not consulted by its parent (Hono), so unknown /api paths are
  // answered here, in Spring's shape, rather than by the gateway's plain-text 404.
  app.all('*', (c) => springError(c, 404, 'No message available'));
  return app;
}
