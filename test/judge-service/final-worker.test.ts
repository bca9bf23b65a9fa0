// The final version of the original Python worker (github imxieyi/carp_judge_worker, main.py
// since 424fcd0): its login through `GET <init_url>` and Spring's CSRF pair, replayed byte for
// byte as aiohttp 3.4.4 sends it, then its socket and a case; the older login without the
// pair; and what the gateway does with a pair that does not match.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, judgeFixture, waitFor, type JudgeFixture } from './support.js';
import { all, connectRaw, finalWorkerLogin, first, rawHttp, type OldWorker, type RawAnswer } from './old-worker.js';

let gw: TestGateway;
let fx: JudgeFixture;
const open: OldWorker[] = [];

beforeEach(async () => {
  gw = await startTestGateway();
  fx = await judgeFixture(gw);
});
afterEach(async () => {
  for (const w of open.splice(0)) w.ws.terminate();
  await gw?.stop();
});

const TOKEN_COOKIE = /^XSRF-TOKEN=([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}); Path=\/$/;
const SESSION_COOKIE = /^JSESSIONID=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Lax$/;
const LOGIN_BODY = '{"username": "worker1", "password": "worker-pw"}';

/** main.py's socket: websockets 6.0 with `extra_headers={'Cookie': cookie}`; then its WORKER_INFO answer. */
async function socketOf(cookie: string, uid: string): Promise<OldWorker> {
  const w = await connectRaw(gw.url, cookie, uid, { 'User-Agent': 'Python/3.6 websockets/6.0' });
  if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
  open.push(w);
  await w.register(2);
  return w;
}

async function judgedBy(w: OldWorker): Promise<void> {
  const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid as string;
  const { cid: pushed, files } = await w.caseData();
  expect(pushed).toBe(cid);
  expect(Object.keys(files).sort()).toEqual(['config.json', 'data/data.dat', 'program/CARP_solver.py']);
  w.judge(cid);
  const done = await waitFor(
    'the case to finish',
    async () => {
      const c = (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
      return c.status === 3 && c;
    },
    10_000,
  );
  expect(done).toMatchObject({ valid: true, cost: 298, reason: 'Solution Accepted.', workerName: 'worker1' });
}

/** A login POST as aiohttp writes it, with whatever Cookie / X-XSRF-TOKEN lines the test gives (none: the older workers). */
function postLogin(lines: string[], body = LOGIN_BODY): Promise<RawAnswer> {
  const { port } = new URL(gw.url);
  const extra = lines.map((l) => `${l}\r\n`).join('');
  return rawHttp(
    gw.url,
    `POST /api/login HTTP/1.1\r\n${extra}Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nHost: 127.0.0.1:${port}\r\n` +
      `User-Agent: Python/3.6 aiohttp/3.4.4\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n\r\n${body}`,
  );
}

async function freshToken(): Promise<{ setCookie: string; token: string }> {
  const r = await fetch(`${gw.url}/`);
  const setCookie = r.headers.getSetCookie()[0]!;
  return { setCookie, token: TOKEN_COOKIE.exec(setCookie)![1]! };
}

function expectRefused(r: RawAnswer): void {
  expect(r.status).toBe(403);
  expect(first(r, 'content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(r.body)).toEqual({ timestamp: expect.any(String), status: 403, error: 'Forbidden', message: 'Forbidden', path: '/api/login' });
  expect(all(r, 'set-cookie')).toEqual([]);
}

describe('the final worker (main.py since 424fcd0) logs in through GET <init_url> and the CSRF pair', () => {
  it('on an IP host (the Set-Cookie text sent back verbatim): init page, login, socket, a case judged', async () => {
    const steps = await finalWorkerLogin(gw.url, 'worker1', 'worker-pw');
    // GET /: 200, and the answer's first (only) Set-Cookie is Spring's CSRF cookie.
    expect(steps.init.status).toBe(200);
    expect(all(steps.init, 'set-cookie')).toHaveLength(1);
    expect(first(steps.init, 'set-cookie')).toMatch(TOKEN_COOKIE);
    // The login with `Cookie: XSRF-TOKEN=t; Path=/` and `X-XSRF-TOKEN: t`: 200, JSESSIONID first.
    expect(steps.login!.status).toBe(200);
    expect(JSON.parse(steps.login!.body)).toEqual({ uid: steps.uid, type: 300 });
    expect(all(steps.login!, 'set-cookie')).toHaveLength(1);
    expect(steps.cookie).toMatch(SESSION_COOKIE);
    // The whole Set-Cookie text, attributes included, is the socket's Cookie header.
    await judgedBy(await socketOf(steps.cookie!, steps.uid!));
  });

  it('on a host name (aiohttp rebuilds the Cookie header from its jar), and with init_url at /api/ or /api', async () => {
    for (const [initPath, host] of [
      ['/', 'name'],
      ['/api/', 'ip'],
      ['/api', 'name'],
    ] as const) {
      const steps = await finalWorkerLogin(gw.url, 'worker1', 'worker-pw', { initPath, host });
      expect(steps.init.status, initPath).toBe(200);
      expect(first(steps.init, 'set-cookie'), initPath).toMatch(TOKEN_COOKIE);
      expect(steps.login!.status, initPath).toBe(200);
      expect(steps.cookie, initPath).toMatch(SESSION_COOKIE);
      if (initPath === '/api') await judgedBy(await socketOf(steps.cookie!, steps.uid!));
      else await fetch(`${gw.url}/api/logout`, { headers: { cookie: steps.cookie! } }); // one socket per worker: leave none behind
    }
  });

  it('a fresh token on every init page, so a worker that tries again always finds one', async () => {
    const a = await freshToken();
    const b = await freshToken();
    expect(a.token).not.toBe(b.token);
    // Even to a request that already carries the cookie (Spring sent none then).
    const again = await fetch(`${gw.url}/`, { headers: { cookie: a.setCookie } });
    expect(again.headers.getSetCookie()[0]).toMatch(TOKEN_COOKIE);
  });
});

describe('the login without the pair, and with a pair that does not match', () => {
  it('older workers (no Cookie, no X-XSRF-TOKEN, as main.py from bc37a75 to 424fcd0) still log in', async () => {
    const r = await postLogin([]);
    expect(r.status).toBe(200);
    expect(first(r, 'set-cookie')).toMatch(SESSION_COOKIE);
    const { uid } = JSON.parse(r.body);
    await judgedBy(await socketOf(first(r, 'set-cookie')!, uid));
  });

  it('a pair present but mismatched is refused with 403, as Spring refused it, before the body is read, and sets no cookie', async () => {
    const a = await freshToken();
    const b = await freshToken();
    // The cookie of one init page with the header of another.
    expectRefused(await postLogin([`Cookie: ${a.setCookie}`, `X-XSRF-TOKEN: ${b.token}`]));
    // Half a pair: a cookie without its header, a header without its cookie.
    expectRefused(await postLogin([`Cookie: ${a.setCookie}`]));
    expectRefused(await postLogin([`X-XSRF-TOKEN: ${a.token}`]));
    // Empty halves never match, not even each other.
    expectRefused(await postLogin(['Cookie: XSRF-TOKEN=', 'X-XSRF-TOKEN: ']));
    // Before the body: a bad pair with a body that does not parse is still the 403.
    expectRefused(await postLogin([`Cookie: ${a.setCookie}`, 'X-XSRF-TOKEN: nope'], '{"username": '));
    // The pair of one init page, both halves: accepted.
    expect((await postLogin([`Cookie: ${b.setCookie}`, `X-XSRF-TOKEN: ${b.token}`])).status).toBe(200);
  });

  it('garbage in X-XSRF-TOKEN (long, quoted, non-ASCII bytes, a second header) is a 403, never a 500', async () => {
    const { setCookie, token } = await freshToken();
    for (const garbage of [
      'x'.repeat(8000),
      `"${token}"`,
      `${token} `.repeat(2).trim(),
      `${token}\u00e9`,
      "' OR 1=1 --",
      token.toUpperCase(),
      `${token};`,
    ]) {
      expectRefused(await postLogin([`Cookie: ${setCookie}`, `X-XSRF-TOKEN: ${garbage}`]));
    }
    // Two X-XSRF-TOKEN headers, each the right token: Node joins them ("t, t"), which is not the token.
    expectRefused(await postLogin([`Cookie: ${setCookie}`, `X-XSRF-TOKEN: ${token}`, `X-XSRF-TOKEN: ${token}`]));
    // A cookie header with the token twice: the first one counts, as Spring's WebUtils.getCookie.
    const other = (await freshToken()).token;
    expect((await postLogin([`Cookie: XSRF-TOKEN=${token}; XSRF-TOKEN=${other}`, `X-XSRF-TOKEN: ${token}`])).status).toBe(200);
  });

  it('a matching pair does not excuse the login rules: wrong password, and a second login on a live session', async () => {
    const { setCookie, token } = await freshToken();
    const wrong = await postLogin([`Cookie: ${setCookie}`, `X-XSRF-TOKEN: ${token}`], '{"username": "worker1", "password": "nope"}');
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body).message).toBe('Wrong username or password!');
    const ok = await postLogin([`Cookie: ${setCookie}`, `X-XSRF-TOKEN: ${token}`]);
    expect(ok.status).toBe(200);
    const session = first(ok, 'set-cookie')!.split(';')[0]!;
    const again = await postLogin([`Cookie: ${setCookie}; ${session}`, `X-XSRF-TOKEN: ${token}`]);
    expect(again.status).toBe(400);
    expect(JSON.parse(again.body).message).toBe('Already logged in!');
  });
});
