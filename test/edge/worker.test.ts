// The Worker under workerd (Miniflare, the runtime `wrangler dev` runs), built by `wrangler deploy
// --dry-run` from wrangler.toml as a deployment would be, on a real libSQL server (sqld) migrated
// and given its ROOT by `npm run migrate`, with a local R2 bucket.
import { readFile, stat } from 'node:fs/promises';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { ROOT_PASSWORD } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { getUser, KEY } from '../integration-api/support.js';
import { postForm, socialLogin } from '../social-api/support.js';
import { archive, judgeFixture, startTestJudge, waitFor } from '../judge-service/support.js';
import type { TestSqld } from '../helpers/sqld.js';
import { buildEdge, type Edge, JWT_SECRET } from './support.js';

let edge: Edge;
let sqld: TestSqld;
const worker = async (vars: Record<string, string>): Promise<string> => (await edge.start(vars)).url;

beforeAll(async () => {
  edge = await buildEdge();
  sqld = edge.sqld;
}, 120_000);

afterAll(async () => {
  await edge?.stop();
});

describe('the Worker under workerd', () => {
  it('`wrangler deploy --dry-run` builds it from wrangler.toml, with no Node module in it', async () => {
    const bundle = await readFile(edge.script, 'utf8');
    expect((await stat(edge.script)).size).toBeGreaterThan(100_000);
    // A module of the bundle's own is a top-level import: none of Node's.
    expect(bundle).not.toMatch(/^import[^\n]*["']node:/m);
  });

  it('serves the doors on sqld: judge REST, GraphQL and tRPC with one token, and a logout seen by the next request', async () => {
    const base = await worker({ DATABASE_URL: sqld.url, JWT_SECRET });
    const root = await judgeLogin(base, 'root', ROOT_PASSWORD);
    expect((await root.get('/api/user/info')).json).toMatchObject({ username: 'root', type: 0 });
    const login = await gql(base, `mutation { login(username: "root", password: "${ROOT_PASSWORD}") { token } }`);
    const auth = { authorization: `Bearer ${login.data.login.token}` };
    expect((await gql(base, '{ me { username } }', {}, auth)).data).toEqual({ me: { username: 'root' } });
    expect(await trpc(base, auth).auth.me.query()).toMatchObject({ username: 'root' });
    const session = `JSESSIONID=${root.cookies.get('JSESSIONID')}`;
    expect((await fetch(`${base}/api/user/info`, { headers: { cookie: session } })).status).toBe(200);
    expect((await root.get('/api/logout')).status).toBe(200);
    const after = await fetch(`${base}/api/user/info`, { headers: { cookie: session } });
    expect([after.status, (await after.json()).message]).toEqual([403, 'Not logged in!']);
  });

  it('serves the other legacy APIs byte for byte: integration (spec 000), quiz (002), social events (003)', async () => {
    const base = await worker({ DATABASE_URL: sqld.url, JWT_SECRET, INTEGRATION_API_KEY: KEY });
    const gw = { url: base } as Parameters<typeof getUser>[0];
    expect((await getUser(gw, 'username=root')).status).toBe(200);
    expect((await getUser(gw, 'username=root', null)).status).toBe(403);
    const nonce = await new Client(base).get('/v1/authorize');
    expect([nonce.status, typeof nonce.json.nonce]).toEqual([200, 'string']);
    const root = await socialLogin(gw, 'root', ROOT_PASSWORD);
    const from = Math.floor(Date.now() / 1000) + 3600;
    const made = await postForm(root, '/api/events/CreateEvent', { name: 'Матанализ', time_from: String(from), time_to: String(from + 5400) });
    expect(made.text).toMatch(/^\{"error": 0, "error_msg": "", "response": \{"event_id": "[0-9a-f-]{36}"\}\}$/);
    const got = await new Client(base).get(`/api/events/GetEventByID?event_id=${made.json.response.event_id}`);
    expect(got.text).toContain('"name": "\\u041c\\u0430\\u0442\\u0430\\u043d\\u0430\\u043b\\u0438\\u0437"');
  });

  it('a Node judge, unchanged, judges a case submitted at the edge (its archive in R2)', async () => {
    const base = await worker({ DATABASE_URL: sqld.url, JWT_SECRET });
    const fx = await judgeFixture({ url: base });
    const judge = startTestJudge(base);
    try {
      const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid as string;
      const done = await waitFor('the case to be judged', async () => {
        const c = (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
        return c.status >= 3 && c;
      });
      expect(done).toMatchObject({ status: 3, valid: true, cost: 298 });
    } finally {
      await judge.stop();
    }
  });

  it('keeps no session or dataset list of its own: what another isolate changed holds on the next request', async () => {
    const base = await worker({ DATABASE_URL: sqld.url, JWT_SECRET });
    const root = await judgeLogin(base, 'root', ROOT_PASSWORD);
    const db = createClient({ url: sqld.url });
    try {
      // Read once each (on Node, now cached), then changed as another isolate would change them.
      const before = (await root.get('/api/dataset/all')).json.datasets.length;
      expect((await root.get('/api/user/info')).status).toBe(200);
      await db.execute({
        sql: "INSERT INTO datasets (id, name, time, memory, cpu, data, created_at) VALUES ('0123456789abcdef01234567', 'elsewhere', 10, 256, 1, 'x', ?)",
        args: [Date.now()],
      });
      expect((await root.get('/api/dataset/all')).json.datasets.map((d: { name: string }) => d.name)).toContain('elsewhere');
      expect((await root.get('/api/dataset/all')).json.datasets.length).toBe(before + 1);
      await db.execute('DELETE FROM sessions');
      const after = await root.get('/api/user/info');
      expect([after.status, after.json.message]).toEqual([403, 'Not logged in!']);
    } finally {
      db.close();
    }
  });

  it('counts a rate limit across isolates: two Workers (each its own isolate and memory) share its Durable Objects', async () => {
    const { mf } = await edge.twoIsolates({ DATABASE_URL: sqld.url, JWT_SECRET, RATE_LIMIT_PER_MINUTE: '4' });
    const get = async (host: string, ip: string) =>
      (await mf.dispatchFetch(`http://${host}/api/dataset/all`, { headers: { 'cf-connecting-ip': ip } })).status;
    // One client, alternating between the isolates: 4 answered between them (403: no session), then 429.
    const one = [];
    for (const host of ['a.test', 'b.test', 'a.test', 'b.test', 'a.test', 'b.test']) one.push(await get(host, '203.0.113.7'));
    expect(one).toEqual([403, 403, 403, 403, 429, 429]);
    // Another client has its own count.
    expect(await get('b.test', '203.0.113.8')).toBe(403);
  });

  it('refuses to start without JWT_SECRET: every request answers why, nothing is served', async () => {
    const base = await worker({ DATABASE_URL: sqld.url });
    for (const path of ['/api/dataset/all', '/graphql', '/healthz']) {
      const res = await fetch(`${base}${path}`);
      expect([res.status, await res.text()]).toEqual([500, 'Worker not started: set JWT_SECRET (wrangler secret put JWT_SECRET)\n']);
    }
  });

  it('its Cron Trigger purges expired sessions, as the Node timers do', async () => {
    const { mf } = await edge.start({ DATABASE_URL: sqld.url, JWT_SECRET });
    const db = createClient({ url: sqld.url });
    try {
      const user = String((await db.execute("SELECT id FROM users WHERE username = 'root'")).rows[0]!.id);
      await db.execute({
        sql: "INSERT INTO sessions (id_hash, user_id, kind, created_at, expires_at) VALUES ('expired-one', ?, 'judge', 0, 1)",
        args: [user],
      });
      await db.execute({
        sql: "INSERT INTO sessions (id_hash, user_id, kind, created_at, expires_at) VALUES ('live-one', ?, 'judge', 0, ?)",
        args: [user, Date.now() + 3_600_000],
      });
      // Miniflare's handle on the Worker runs its scheduled() as a Cron Trigger would (typed there as a fetcher only).
      const handler = (await mf.getWorker()) as unknown as { scheduled(event: { cron: string }): Promise<{ outcome: string }> };
      const result = await handler.scheduled({ cron: '* * * * *' });
      expect(result.outcome).toBe('ok');
      const left = (await db.execute("SELECT id_hash FROM sessions WHERE id_hash IN ('expired-one', 'live-one')")).rows.map((r) => r.id_hash);
      expect(left).toEqual(['live-one']);
    } finally {
      db.close();
    }
  });
});
