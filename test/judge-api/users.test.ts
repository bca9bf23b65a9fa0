import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { addUser, expectRejected, makeActors, OBJECT_ID, TYPE, type Actors } from './support.js';

let gw: TestGateway;
let a: Actors;

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
});
afterAll(async () => {
  await gw?.stop();
});

type ActorName = 'root' | 'admin' | 'user' | 'worker' | 'anon';
const ACTORS: ActorName[] = ['root', 'admin', 'user', 'worker', 'anon'];
const TARGETS = [TYPE.ROOT, TYPE.ADMIN, TYPE.USER, TYPE.WORKER] as const;

/** Spec 004: ROOT may manage ADMIN, WORKER, USER; ADMIN only USER; nobody creates ROOT. */
function allowed(actor: ActorName, target: number): boolean {
  if (actor === 'root') return target === TYPE.ADMIN || target === TYPE.WORKER || target === TYPE.USER;
  if (actor === 'admin') return target === TYPE.USER;
  return false;
}

/** What a refused actor gets: no session, a too-low type, or the type-specific refusal. */
function refusal(actor: ActorName, message: (t: number) => string, target: number): [number, string] {
  if (actor === 'anon') return [403, 'Not logged in!'];
  if (actor === 'user' || actor === 'worker') return [403, 'Permission denied!'];
  return [403, message(target)];
}

describe('POST /api/admin/user/add: every actor x target type', () => {
  const P = '/api/admin/user/add';
  const matrix = ACTORS.flatMap((actor) => TARGETS.map((target) => [actor, target] as const));

  it.each(matrix)('%s creating type %i', async (actor, target) => {
    const username = `new-${actor}-${target}`;
    const body = { username, password: 'pw', type: target };
    if (allowed(actor, target)) {
      const r = await a[actor].post(P, body);
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.json)).toEqual(['id']);
      expect(r.json.id).toMatch(OBJECT_ID);
      const c = await judgeLogin(gw.url, username, 'pw');
      expect((await c.get('/api/user/info')).json).toEqual({ uid: r.json.id, username, type: target });
    } else {
      const [status, message] = refusal(actor, (t) => `You are not allowed to create user of type ${t}!`, target);
      await expectRejected(gw, () => a[actor].post(P, body), status, message, P);
    }
  });

  it('a type that is not a judge type is refused like a forbidden one', async () => {
    await expectRejected(
      gw,
      () => a.root.post(P, { username: 'odd', password: 'pw', type: 150 }),
      403,
      'You are not allowed to create user of type 150!',
      P,
    );
    await expectRejected(
      gw,
      () => a.root.post(P, { username: 'odd', password: 'pw', type: -1 }),
      403,
      'You are not allowed to create user of type -1!',
      P,
    );
    // The original's `int type` defaults to 0 (ROOT) when absent.
    await expectRejected(gw, () => a.root.post(P, { username: 'odd', password: 'pw' }), 403, 'You are not allowed to create user of type 0!', P);
  });

  it('missing, long and mistyped fields -> 400; duplicate username -> 409', async () => {
    const cases: [unknown, number, string | RegExp][] = [
      [{ password: 'pw', type: 200 }, 400, 'No username!'],
      [{ username: '', password: 'pw', type: 200 }, 400, 'No username!'],
      [{ username: 'x', type: 200 }, 400, 'No password!'],
      [{ username: 'x', password: '', type: 200 }, 400, 'No password!'],
      [{ username: 'u'.repeat(33), password: 'pw', type: 200 }, 400, 'Username too long!'],
      [{ username: 'x', password: 'p'.repeat(33), type: 200 }, 400, 'Password too long!'],
      [{ username: 'x', password: 'pw', type: '200' }, 400, /./],
      [{ username: 'x', password: 'pw', type: 200.5 }, 400, /./],
      [{ username: 'x', password: 'pw', type: true }, 400, /./],
      [{ username: 42, password: 'pw', type: 200 }, 400, /./],
      [{ username: 'x', password: 42, type: 200 }, 400, /./],
      ['[{"username":"x","password":"pw","type":200}]', 400, /./],
      ['{"username":"x"', 400, /./],
      [{ username: 'user', password: 'pw', type: 200 }, 409, 'User already exists!'],
      [{ username: 'root', password: 'pw', type: 200 }, 409, 'User already exists!'],
    ];
    for (const [body, status, message] of cases) {
      await expectRejected(gw, () => a.root.post(P, body), status, message, P);
    }
    // 32 characters is the longest allowed.
    expect((await a.root.post(P, { username: 'u'.repeat(32), password: 'p'.repeat(32), type: 200 })).status).toBe(200);
  });

  it('the field checks come after the session check: anonymous gets 403 even with a bad body', async () => {
    await expectRejected(gw, () => new Client(gw.url).post(P, { type: 200 }), 403, 'Not logged in!', P);
    await expectRejected(gw, () => a.user.post(P, { type: 200 }), 403, 'Permission denied!', P);
  });
});

describe('POST /api/admin/user/change/password: every actor x target type', () => {
  const P = '/api/admin/user/change/password';
  const targets: Record<number, string> = {};

  beforeAll(async () => {
    targets[TYPE.ROOT] = 'root';
    for (const t of [TYPE.ADMIN, TYPE.USER, TYPE.WORKER]) {
      targets[t] = `target-${t}`;
      await addUser(a.root, `target-${t}`, 'initial', t);
    }
  });

  const matrix = ACTORS.flatMap((actor) => TARGETS.map((target) => [actor, target] as const));
  it.each(matrix)('%s changing the password of type %i', async (actor, target) => {
    const username = targets[target]!;
    const password = `pw-${actor}-${target}`;
    if (allowed(actor, target)) {
      const r = await a[actor].post(P, { username, password });
      expect(r.status, r.text).toBe(200);
      expect(r.text).toBe('done');
      await judgeLogin(gw.url, username, password);
    } else {
      const [status, message] = refusal(actor, (t) => `You are not allowed to change password for user type ${t}`, target);
      await expectRejected(gw, () => a[actor].post(P, { username, password }), status, message, P);
      expect((await new Client(gw.url).post('/api/login', { username, password })).status).toBe(400);
    }
  });

  it('errors: missing fields 400, unknown user 404, long password 400, mistyped 400', async () => {
    const cases: [unknown, number, string | RegExp][] = [
      [{ password: 'pw' }, 400, 'No username!'],
      [{ username: '', password: 'pw' }, 400, 'No username!'],
      [{ username: 'target-200' }, 400, 'No password!'],
      [{ username: 'target-200', password: '' }, 400, 'No password!'],
      [{ username: 'target-200', password: 'p'.repeat(33) }, 400, 'Password too long!'],
      [{ username: 'nobody-here', password: 'pw' }, 404, 'User does not exist!'],
      [{ username: 'target-200', password: 123 }, 400, /./],
      [{ username: 200, password: 'pw' }, 400, /./],
      ['[]', 400, /./],
      ['nope', 400, /./],
    ];
    for (const [body, status, message] of cases) {
      await expectRejected(gw, () => a.root.post(P, body), status, message, P);
      await expectRejected(gw, () => a.admin.post(P, body), status, message, P);
    }
  });
});
