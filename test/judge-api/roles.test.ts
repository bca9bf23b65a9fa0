import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin, type HttpResult } from '../helpers/http.js';
import { GOOD_SOLVER, zipBase64 } from '../helpers/zip.js';
import { addDataset, expectRejected, insertCase, makeActors, withDb, type Actors } from './support.js';

// The role matrix of spec 004, route by route: ROOT(0), ADMIN(100), USER(200), WORKER(300), anonymous.

type ActorName = 'root' | 'admin' | 'user' | 'worker' | 'anon';
const ACTORS: ActorName[] = ['root', 'admin', 'user', 'worker', 'anon'];
const PASSWORDS: Record<Exclude<ActorName, 'anon'>, [string, string]> = {
  root: ['root', ROOT_PASSWORD],
  admin: ['admin', 'admin-pass'],
  user: ['user', 'user-pass'],
  worker: ['worker', 'worker-pass'],
};

let gw: TestGateway;
let a: Actors;
let datasetId: string;
const ownCase: Partial<Record<ActorName, string>> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
  datasetId = await addDataset(a.root, 'roles-set');
  await withDb(gw, async (db) => {
    for (const who of ['root', 'admin', 'user'] as const) {
      ownCase[who] = await insertCase(db, { userId: a.ids[who], datasetId, submitTime: Date.now() - 60_000, valid: true, cost: 5, time: 1 });
    }
  });
});
afterAll(async () => {
  await gw?.stop();
});

/** A client for the actor: its shared session, or a fresh one for routes that end or alter the session. */
async function client(actor: ActorName, fresh = false): Promise<Client> {
  if (actor === 'anon') return new Client(gw.url);
  if (!fresh) return a[actor];
  const [u, p] = PASSWORDS[actor];
  return judgeLogin(gw.url, u, p);
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  allowed: ActorName[];
  fresh?: boolean;
  call(c: Client, actor: ActorName): Promise<HttpResult>;
  /** What a success looks like, beyond 200. */
  ok?(r: HttpResult, actor: ActorName): void;
}

const STAFF: ActorName[] = ['root', 'admin'];
const PLAYERS: ActorName[] = ['root', 'admin', 'user'];
const EVERYONE: ActorName[] = ['root', 'admin', 'user', 'worker'];

const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/logout',
    allowed: EVERYONE,
    fresh: true,
    call: (c) => c.get('/api/logout'),
    ok: (r, actor) => expect(r.json).toEqual({ uid: a.ids[actor as Exclude<ActorName, 'anon'>] }),
  },
  {
    method: 'GET',
    path: '/api/user/info',
    allowed: EVERYONE,
    call: (c) => c.get('/api/user/info'),
    ok: (r, actor) => expect(r.json.uid).toBe(a.ids[actor as Exclude<ActorName, 'anon'>]),
  },
  {
    method: 'POST',
    path: '/api/user/change/password',
    allowed: EVERYONE,
    call: (c, actor) => {
      const pw = actor === 'anon' ? 'x' : PASSWORDS[actor][1];
      return c.post('/api/user/change/password', { old: pw, new: pw });
    },
  },
  {
    method: 'POST',
    path: '/api/admin/user/add',
    allowed: STAFF,
    call: (c, actor) => c.post('/api/admin/user/add', { username: `made-by-${actor}`, password: 'pw', type: 200 }),
  },
  {
    method: 'POST',
    path: '/api/admin/user/change/password',
    allowed: STAFF,
    call: (c) => c.post('/api/admin/user/change/password', { username: 'user', password: 'user-pass' }),
    ok: (r) => expect(r.text).toBe('done'),
  },
  {
    method: 'GET',
    path: '/api/system/addtestdata',
    allowed: ['root'],
    call: (c) => c.get('/api/system/addtestdata'),
    ok: (r) => expect(r.text).toBe('done'),
  },
  {
    method: 'POST',
    path: '/api/dataset/add',
    allowed: STAFF,
    call: (c, actor) => c.post('/api/dataset/add', { name: `set-of-${actor}`, time: 1, memory: 64, cpu: 1, data: 'd' }),
  },
  { method: 'GET', path: '/api/dataset/all', allowed: PLAYERS, call: (c) => c.get('/api/dataset/all') },
  {
    method: 'GET',
    path: '/api/judge/get',
    allowed: PLAYERS,
    call: (c) => c.get('/api/judge/get?page=0&size=5'),
    ok: (r) => expect(r.json.total).toBeGreaterThanOrEqual(1),
  },
  {
    method: 'GET',
    path: '/api/judge/query',
    allowed: PLAYERS,
    call: (c, actor) => c.get(`/api/judge/query?cid=${ownCase[actor] ?? ownCase.user}`),
    ok: (r, actor) => expect(r.json.id).toBe(ownCase[actor]),
  },
  {
    method: 'GET',
    path: '/api/judge/top',
    allowed: PLAYERS,
    call: (c) => c.get(`/api/judge/top?did=${datasetId}`),
    ok: (r) => expect(r.json.carpCases).toHaveLength(3),
  },
  {
    method: 'GET',
    path: '/api/judge/remain',
    allowed: PLAYERS,
    call: (c) => c.get('/api/judge/remain'),
    ok: (r) => expect(r.json.total).toBe(10),
  },
  {
    method: 'POST',
    path: '/api/judge/submit',
    allowed: PLAYERS,
    call: (c, actor) => c.post('/api/judge/submit', { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': `# ${actor}\n${GOOD_SOLVER}` }) }),
    ok: (r) => expect(Object.keys(r.json)).toEqual(['cid', 'remain']),
  },
];

describe.each(ROUTES)('$method $path', (route) => {
  it.each(ACTORS)('as %s', async (actor) => {
    const c = await client(actor, route.fresh);
    if (route.allowed.includes(actor)) {
      const r = await route.call(c, actor);
      expect(r.status, r.text).toBe(200);
      route.ok?.(r, actor);
    } else {
      const message = actor === 'anon' ? 'Not logged in!' : 'Permission denied!';
      await expectRejected(gw, () => route.call(c, actor), 403, message, route.path);
    }
  });
});

describe('POST /api/login', () => {
  it.each(ACTORS)('as %s', async (actor) => {
    const c = await client(actor);
    if (actor === 'anon') expect((await c.post('/api/login', { username: 'user', password: 'user-pass' })).status).toBe(200);
    else await expectRejected(gw, () => c.post('/api/login', { username: 'user', password: 'user-pass' }), 400, 'Already logged in!', '/api/login');
  });
});
