import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin, type HttpResult } from '../helpers/http.js';
import { GOOD_SOLVER, zipBase64 } from '../helpers/zip.js';
import { addDataset, expectRejected, expectSpringError, listBlobs, makeActors, type Actors } from './support.js';

// What every route answers to malformed requests: the Spring error body, a 4xx, never a 500,
// and nothing stored.

const GET_ROUTES = [
  '/api/logout',
  '/api/user/info',
  '/api/system/addtestdata',
  '/api/dataset/all',
  '/api/judge/get',
  '/api/judge/query',
  '/api/judge/top',
  '/api/judge/remain',
];
const POST_ROUTES = [
  '/api/login',
  '/api/user/change/password',
  '/api/admin/user/add',
  '/api/admin/user/change/password',
  '/api/dataset/add',
  '/api/judge/submit',
];

let gw: TestGateway;
let a: Actors;
let datasetId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
  datasetId = await addDataset(a.root, 'errors-set');
});
afterAll(async () => {
  await gw?.stop();
});

describe('malformed JSON bodies -> 400 on every POST route', () => {
  const BAD = [
    ['truncated', '{"username": "x"'],
    ['trailing comma', '{"a": 1,}'],
    ['single quotes', "{'a': 1}"],
    ['not JSON', 'username=x&password=y'],
    ['empty', ''],
    ['an array', '[]'],
    ['an array of the object', '[{"username":"root","password":"x"}]'],
    ['a string', '"x"'],
    ['a number', '1'],
    ['null', 'null'],
    ['true', 'true'],
    ['deeply nested', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
  ] as const;
  const matrix = POST_ROUTES.flatMap((p) => BAD.map(([name, body]) => [p, name, body] as const));
  it.each(matrix)('%s: %s', async (path, _name, body) => {
    // As ROOT (a logged-in client), except login itself, which must be anonymous.
    const c = path === '/api/login' ? new Client(gw.url) : a.root;
    await expectRejected(gw, () => c.post(path, body), 400, /./, path);
  });
});

describe('mistyped fields -> 400 on every POST route (string for int, number for string, objects, arrays)', () => {
  const bodies: Record<string, Record<string, unknown>> = {
    '/api/login': { username: 'root', password: ROOT_PASSWORD },
    '/api/user/change/password': { old: ROOT_PASSWORD, new: ROOT_PASSWORD },
    '/api/admin/user/add': { username: 'typed', password: 'pw', type: 200 },
    '/api/admin/user/change/password': { username: 'user', password: 'user-pass' },
    '/api/dataset/add': { name: 'typed', time: 1, memory: 1, cpu: 1, data: 'd' },
    '/api/judge/submit': { dataset: 'x', data: 'y' },
  };
  const cases = Object.entries(bodies).flatMap(([path, good]) =>
    Object.entries(good).flatMap(([field, v]) => {
      const wrong = typeof v === 'number' ? [String(v), 1.5, true, [v], { v }, 1e400] : [42, true, [v], { v }];
      return wrong.map((w) => [path, field, JSON.stringify(w) ?? String(w), w] as const);
    }),
  );
  it.each(cases)('%s: %s = %s', async (path, field, _shown, wrong) => {
    const c = path === '/api/login' ? new Client(gw.url) : a.root;
    const body = path === '/api/judge/submit' ? { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': GOOD_SOLVER }) } : { ...bodies[path] };
    (body as Record<string, unknown>)[field] = wrong;
    // 1e400 is not valid for JSON.stringify (Infinity -> null); send it literally.
    const raw = Number.isFinite(wrong as number) || typeof wrong !== 'number' ? JSON.stringify(body) : JSON.stringify(body).replace('null', '1e400');
    await expectRejected(gw, () => c.post(path, raw), 400, /./, path);
  });
});

describe('body over 131072 bytes -> 413', () => {
  const LIMIT = 131072;
  it.each(POST_ROUTES)('%s with a Content-Length over the limit', async (path) => {
    const c = path === '/api/login' ? new Client(gw.url) : a.root;
    const body = JSON.stringify({ username: 'root', password: 'x', pad: 'p'.repeat(LIMIT) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMIT);
    await expectRejected(gw, () => c.post(path, body), 413, /./, path);
  });

  it('a chunked body (no Content-Length) over the limit is cut off with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (sent >= 12) return ctl.close();
        sent++;
        ctl.enqueue(chunk);
      },
    });
    const before = await snapshot(gw.dbUrl);
    const res = await fetch(`${gw.url}/api/dataset/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `JSESSIONID=${a.root.cookies.get('JSESSIONID')}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    expectSpringError({ status: res.status, headers: res.headers, text, json: JSON.parse(text) }, 413, /./, '/api/dataset/add');
    expect(await snapshot(gw.dbUrl)).toBe(before);
  });

  it('exactly 131072 bytes is still read (and refused for what it says, not for its size)', async () => {
    const prefix = JSON.stringify({ name: 'big', time: 1, memory: 1, cpu: 1, data: '' });
    const body = prefix.replace('"data":""', `"data":"${'d'.repeat(LIMIT - prefix.length)}"`);
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    const r = await a.root.post('/api/dataset/add', body);
    expect(r.status, r.text).toBe(200);
    expect((await a.user.post('/api/dataset/add', body)).status).toBe(403);
  });
});

describe('wrong method on a known path -> 405', () => {
  const cases = [
    ...GET_ROUTES.flatMap((p) => ['POST', 'PUT', 'DELETE', 'PATCH'].map((m) => [m, p] as const)),
    ...POST_ROUTES.flatMap((p) => ['GET', 'PUT', 'DELETE', 'PATCH'].map((m) => [m, p] as const)),
  ];
  it.each(cases)('%s %s', async (method, path) => {
    const body = method === 'GET' ? undefined : JSON.stringify({ name: 'm', time: 1, memory: 1, cpu: 1, data: 'x' });
    await expectRejected(gw, () => a.root.request(method, path, body), 405, `Request method '${method}' not supported`, path);
  });
});

describe('unknown /api paths -> 404', () => {
  // `/api` and `/api/` are pages an old worker's init_url may name (home.test.ts).
  it.each(['/api/nope', '/api//', '/api/judge', '/api/judge/all', '/api/login/extra', '/api/admin/user', '/api/dataset/add/x', '/api/JUDGE/remain'])(
    'GET %s',
    async (path) => {
      await expectRejected(gw, () => a.root.get(path), 404, 'No message available', path);
    },
  );
  it('POST to an unknown path is 404, with nothing stored', async () => {
    await expectRejected(
      gw,
      () => a.root.post('/api/admin/dataset/add', { name: 'old-path', time: 1, memory: 1, cpu: 1, data: 'x' }),
      404,
      'No message available',
      '/api/admin/dataset/add',
    );
  });
});

describe('odd but well-formed input is never a 500', () => {
  const weird = [
    { username: '\u0000', password: '\u0000' },
    { username: 'ü名前😀', password: '😀' },
    { username: "' OR 1=1 --", password: "' OR 1=1 --" },
    { __proto__: { username: 'root' }, password: 'x' },
    { username: 'root', password: 'x'.repeat(100_000) },
    { name: '\u0000', time: 1, memory: 1, cpu: 1, data: '\u0000' },
    { dataset: "'; DROP TABLE cases; --", data: 'AAAA' },
    { username: 'root', password: ROOT_PASSWORD, type: 0, extra: { nested: [1, 2, 3] } },
    { old: 'x'.repeat(100_000), new: 'y' },
  ];
  const check = (r: HttpResult, path: string) => {
    expect(r.status, `${path} ${r.text}`).toBeLessThan(500);
    if (r.status !== 200) expectSpringError(r, r.status, /./, path);
  };
  it('every POST route, every odd body, as anonymous and as ROOT', async () => {
    for (const path of POST_ROUTES) {
      for (const body of weird) {
        const raw = JSON.stringify(body).replace('"password":"x"}', '"password":"x","__proto__":{"type":0}}');
        check(await new Client(gw.url).post(path, raw), path);
        if (path !== '/api/login') {
          const before = await snapshot(gw.dbUrl);
          const r = await a.root.post(path, raw);
          check(r, path);
          if (r.status !== 200) expect(await snapshot(gw.dbUrl)).toBe(before);
        }
      }
    }
  });
  it('every GET route with odd query strings', async () => {
    const qs = [
      '?cid=%E0%A4%A',
      '?cid=%',
      '?did=%zz',
      '?page=%&size=1',
      '?page=%00&size=%ff',
      '?cid=%27%22&did=%00',
      '?did=a&did=b&dataset=c',
      `?cid=${'9'.repeat(10_000)}`,
      '?page=1&page=2&size=3',
      '?size=100&page=999999999',
    ];
    for (const path of GET_ROUTES.filter((p) => p !== '/api/logout')) {
      for (const q of qs) check(await a.user.get(path + q), path);
    }
  });
  it('a malformed Cookie header is simply no session', async () => {
    for (const cookie of ['JSESSIONID=%E0%A4%A', 'JSESSIONID=%', 'JSESSIONID', '=;;;', 'JSESSIONID="abc"', 'JSESSIONID=a; JSESSIONID=b']) {
      const res = await fetch(`${gw.url}/api/user/info`, { headers: { cookie } });
      const text = await res.text();
      expectSpringError({ status: res.status, headers: res.headers, text, json: JSON.parse(text) }, 403, 'Not logged in!', '/api/user/info');
    }
  });
  it('a body that is not UTF-8 is a 400', async () => {
    const res = await fetch(`${gw.url}/api/login`, { method: 'POST', body: new Uint8Array([0xff, 0xfe, 0x7b, 0x00]) });
    const text = await res.text();
    expectSpringError({ status: res.status, headers: res.headers, text, json: JSON.parse(text) }, 400, /./, '/api/login');
  });
  it('a cookie that is not a session is simply no session', async () => {
    for (const v of ['', 'x', '%00', 'a'.repeat(5000), "'; DROP TABLE sessions; --", '0123456789ABCDEF0123456789ABCDEF']) {
      const c = new Client(gw.url);
      c.cookies.set('JSESSIONID', v);
      expectSpringError(await c.get('/api/user/info'), 403, 'Not logged in!', '/api/user/info');
    }
  });
});

describe('the rate limit -> 429 `Too many requests!`, with nothing stored', () => {
  let limited: TestGateway;
  afterAll(async () => {
    await limited?.stop();
  });

  it('the 6th request of a minute is refused, whatever it is', async () => {
    limited = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '5' });
    const root = await judgeLogin(limited.url, 'root', ROOT_PASSWORD); // 1
    expect((await root.get('/api/user/info')).status).toBe(200); // 2
    expect((await root.get('/api/dataset/all')).status).toBe(200); // 3
    expect((await root.get('/api/judge/remain')).status).toBe(200); // 4
    expect((await root.get('/api/nope')).status).toBe(404); // 5: unknown paths count too
    const blobs = await listBlobs(limited);
    const sessions = await snapshot(limited.dbUrl, ['sessions']);
    await expectRejected(
      limited,
      () => root.post('/api/dataset/add', { name: 'over', time: 1, memory: 1, cpu: 1, data: 'x' }),
      429,
      'Too many requests!',
      '/api/dataset/add',
    );
    await expectRejected(
      limited,
      () => root.post('/api/admin/user/add', { username: 'over', password: 'pw', type: 200 }),
      429,
      'Too many requests!',
      '/api/admin/user/add',
    );
    await expectRejected(
      limited,
      () => new Client(limited.url).post('/api/login', { username: 'root', password: ROOT_PASSWORD }),
      429,
      'Too many requests!',
      '/api/login',
    );
    await expectRejected(limited, () => root.get('/api/user/info'), 429, 'Too many requests!', '/api/user/info');
    await expectRejected(limited, () => root.post('/api/login', '{bad'), 429, 'Too many requests!', '/api/login');
    expect(await listBlobs(limited)).toEqual(blobs);
    expect(await snapshot(limited.dbUrl, ['sessions'])).toBe(sessions);
    // Other doors of the gateway are not behind the legacy API's limiter.
    expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
  });
});
