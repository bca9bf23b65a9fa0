// The pages an old judge worker's init_url names (/, /api, /api/): what Spring answered for
// the site root with its cookie CSRF repository in front, 200 and `Set-Cookie: XSRF-TOKEN=...;
// Path=/`; other methods; and the other APIs at the root and under /api, unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, type HttpResult } from '../helpers/http.js';
import { rawHttp } from '../judge-service/old-worker.js';
import { expectSpringError } from './support.js';

const TOKEN_COOKIE = /^XSRF-TOKEN=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}; Path=\/$/;
const HOME = ['/', '/api', '/api/'];

let gw: TestGateway;
let http: Client;

beforeAll(async () => {
  gw = await startTestGateway();
  http = new Client(gw.url);
});
afterAll(() => gw?.stop());

describe('GET /, /api, /api/', () => {
  it('answer 200 with a small page, the CSRF cookie as the only Set-Cookie, and no caching', async () => {
    for (const path of [...HOME, '/?x=1', '/api/?x=1']) {
      const r = await fetch(gw.url + path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toMatch(/^text\/html; charset=UTF-8$/i);
      expect(r.headers.getSetCookie(), path).toEqual([expect.stringMatching(TOKEN_COOKIE)]);
      expect(r.headers.get('cache-control'), path).toBe('no-cache, no-store, max-age=0, must-revalidate');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(await r.text(), path).toContain('<title>CARP Online Judge Platform</title>');
    }
  });

  it('HEAD is the same answer without a body, cookie included', async () => {
    for (const path of HOME) {
      const r = await rawHttp(gw.url, `HEAD ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, true);
      expect(r.status, path).toBe(200);
      expect(
        r.headers.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => v),
        path,
      ).toEqual([expect.stringMatching(TOKEN_COOKIE)]);
      const viaFetch = await fetch(gw.url + path, { method: 'HEAD' });
      expect(viaFetch.status).toBe(200);
      expect(await viaFetch.text()).toBe('');
    }
  });

  it("other methods are Spring's 405 (Allow: GET, HEAD), with no cookie and nothing read", async () => {
    for (const path of HOME) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const r: HttpResult = await http.request(method, path, method === 'OPTIONS' ? undefined : { username: 'root' });
        expectSpringError(r, 405, `Request method '${method}' not supported`, path);
        expect(r.headers.get('allow')).toBe('GET, HEAD');
        expect(r.headers.getSetCookie()).toEqual([]);
      }
      // TRACE too (fetch refuses to send it).
      const trace = await rawHttp(gw.url, `TRACE ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(trace.status).toBe(405);
      expect(JSON.parse(trace.body)).toMatchObject({ status: 405, message: "Request method 'TRACE' not supported", path });
    }
    // A method no HTTP parser knows: Node refuses it before the app (400), and the server goes on.
    const odd = await rawHttp(gw.url, 'BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(odd.status).toBe(400);
    expect((await fetch(`${gw.url}/`)).status).toBe(200);
  });

  it('/api paths count against the judge API rate limit; / does not', async () => {
    const limited = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      for (let i = 0; i < 6; i++) expect((await fetch(`${limited.url}/`)).status).toBe(200);
      const statuses = [];
      for (const path of ['/api/', '/api', '/api/', '/api/']) statuses.push((await fetch(limited.url + path)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await fetch(`${limited.url}/api/user/info`)).status).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});

describe('the other APIs at the root and under /api are unchanged', () => {
  it('their routes and their own 404s still answer as before', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${gw.url}/docs`)).status).toBe(200);
    // The contest integration API: Tornado's 405 for a method it does not serve, before the key.
    expect((await fetch(`${gw.url}/get_user`, { method: 'PUT' })).status).toBe(405);
    // The training API: FastAPI's JSON 404 under its prefixes.
    const training = await fetch(`${gw.url}/teams/nope/nope`);
    expect(training.status).toBe(404);
    expect(await training.json()).toEqual({ detail: 'Not Found' });
    // The judge API: its routes, its 405 and its Spring 404 (an unknown path under /api, and /api//).
    expectSpringError(await http.get('/api/login'), 405, "Request method 'GET' not supported", '/api/login');
    expectSpringError(await http.get('/api/nope'), 404, 'No message available', '/api/nope');
    expectSpringError(await http.get('/api//'), 404, 'No message available', '/api//');
    expectSpringError(await http.get('/api/user/info'), 403, 'Not logged in!', '/api/user/info');
    // The old workers' socket path, not an upgrade: Spring's 400.
    expect((await fetch(`${gw.url}/api/websocket`)).status).toBe(400);
    // Unknown paths at the root stay the gateway's 404, with no cookie.
    const unknown = await fetch(`${gw.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });
});
