import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { addUser, expectRejected, expectSpringError, rootLogin, TYPE } from './support.js';

let gw: TestGateway;
let root: Client;

beforeAll(async () => {
  gw = await startTestGateway();
  root = await rootLogin(gw);
  await addUser(root, 'alice', 'alice-pw', TYPE.USER);
});
afterAll(async () => {
  await gw?.stop();
});

const sessionCookie = (c: Client) => c.cookies.get('JSESSIONID');

describe('logout before login again', () => {
  it('a second login on the same session is refused with 400 `Already logged in!`', async () => {
    const c = await judgeLogin(gw.url, 'alice', 'alice-pw');
    const sid = sessionCookie(c);
    const r = await c.post('/api/login', { username: 'alice', password: 'alice-pw' });
    expectSpringError(r, 400, 'Already logged in!', '/api/login');
    // Even as someone else, and even with a wrong password: the session comes first.
    expectSpringError(await c.post('/api/login', { username: 'root', password: ROOT_PASSWORD }), 400, 'Already logged in!', '/api/login');
    expectSpringError(await c.post('/api/login', { username: 'alice', password: 'nope' }), 400, 'Already logged in!', '/api/login');
    expect(sessionCookie(c)).toBe(sid);
    expect((await c.get('/api/user/info')).json.username).toBe('alice');
  });

  it('after logout a login works again, with a new session id', async () => {
    const c = await judgeLogin(gw.url, 'alice', 'alice-pw');
    const first = sessionCookie(c)!;
    const out = await c.get('/api/logout');
    expect(out.status).toBe(200);
    expect(sessionCookie(c)).toBeUndefined();
    const again = await c.post('/api/login', { username: 'alice', password: 'alice-pw' });
    expect(again.status).toBe(200);
    expect(sessionCookie(c)).toMatch(/^[0-9a-f]{32}$/);
    expect(sessionCookie(c)).not.toBe(first);
  });

  it('logout without a session is 403 `Not logged in!`', async () => {
    expectSpringError(await new Client(gw.url).get('/api/logout'), 403, 'Not logged in!', '/api/logout');
    const bogus = new Client(gw.url);
    bogus.cookies.set('JSESSIONID', '0123456789abcdef0123456789abcdef');
    expectSpringError(await bogus.get('/api/logout'), 403, 'Not logged in!', '/api/logout');
    const junk = new Client(gw.url);
    junk.cookies.set('JSESSIONID', 'not-a-session');
    expectSpringError(await junk.get('/api/logout'), 403, 'Not logged in!', '/api/logout');
  });

  it('the old JSESSIONID no longer works after logout, for any route', async () => {
    const c = await judgeLogin(gw.url, 'alice', 'alice-pw');
    const old = sessionCookie(c)!;
    expect((await c.get('/api/logout')).status).toBe(200);
    const replay = new Client(gw.url);
    replay.cookies.set('JSESSIONID', old);
    expectSpringError(await replay.get('/api/user/info'), 403, 'Not logged in!', '/api/user/info');
    expectSpringError(await replay.get('/api/judge/remain'), 403, 'Not logged in!', '/api/judge/remain');
    expectSpringError(await replay.get('/api/logout'), 403, 'Not logged in!', '/api/logout');
    // And logging in with the dead cookie is allowed (it is no session at all).
    expect((await replay.post('/api/login', { username: 'alice', password: 'alice-pw' })).status).toBe(200);
    expect(sessionCookie(replay)).not.toBe(old);
  });

  it('logout ends only that session: another login of the same user stays valid', async () => {
    const a = await judgeLogin(gw.url, 'alice', 'alice-pw');
    const b = await judgeLogin(gw.url, 'alice', 'alice-pw');
    expect((await a.get('/api/logout')).status).toBe(200);
    expect((await b.get('/api/user/info')).status).toBe(200);
  });

  it('the session cookie is HttpOnly with path /', async () => {
    const c = new Client(gw.url);
    const r = await c.post('/api/login', { username: 'alice', password: 'alice-pw' });
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('JSESSIONID='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\//);
  });
});

describe('login errors', () => {
  const cases: [string, unknown, string][] = [
    ['no username', { password: 'x' }, 'No username!'],
    ['empty username', { username: '', password: 'x' }, 'No username!'],
    ['null username', { username: null, password: 'x' }, 'No username!'],
    ['no password', { username: 'alice' }, 'No password!'],
    ['empty password', { username: 'alice', password: '' }, 'No password!'],
    ['empty object', {}, 'No username!'],
    ['wrong password', { username: 'alice', password: 'wrong' }, 'Wrong username or password!'],
    ['unknown user', { username: 'nobody', password: 'x' }, 'Wrong username or password!'],
  ];
  it.each(cases)('%s -> 400', async (_name, body, message) => {
    const c = new Client(gw.url);
    await expectRejected(gw, () => c.post('/api/login', body), 400, message, '/api/login');
    expect(sessionCookie(c)).toBeUndefined();
  });

  it('mistyped fields -> 400, no session', async () => {
    for (const body of [
      { username: 123, password: 'x' },
      { username: 'alice', password: 123 },
      { username: ['alice'], password: 'alice-pw' },
      { username: { a: 1 }, password: 'alice-pw' },
      { username: 'alice', password: true },
    ]) {
      const c = new Client(gw.url);
      await expectRejected(gw, () => c.post('/api/login', body), 400, /./, '/api/login');
      expect(sessionCookie(c)).toBeUndefined();
    }
  });

  it('bad JSON, a JSON array, a JSON string, an empty body -> 400', async () => {
    for (const raw of ['{', '{"username":"alice",}', '[]', '[{"username":"alice","password":"alice-pw"}]', '"alice"', '42', 'null', '']) {
      const c = new Client(gw.url);
      await expectRejected(gw, () => c.post('/api/login', raw), 400, /./, '/api/login');
      expect(sessionCookie(c)).toBeUndefined();
    }
  });

  it('a failed login stores no session row', async () => {
    const before = await snapshot(gw.dbUrl, ['sessions']);
    await new Client(gw.url).post('/api/login', { username: 'alice', password: 'wrong' });
    expect(await snapshot(gw.dbUrl, ['sessions'])).toBe(before);
  });
});

describe('user/info and user/change/password', () => {
  it('user/info without a session -> 403 `Not logged in!`', async () => {
    await expectRejected(gw, () => new Client(gw.url).get('/api/user/info'), 403, 'Not logged in!', '/api/user/info');
  });

  it('change password: not logged in -> 403, nothing changed', async () => {
    await expectRejected(
      gw,
      () => new Client(gw.url).post('/api/user/change/password', { old: 'alice-pw', new: 'x' }),
      403,
      'Not logged in!',
      '/api/user/change/password',
    );
  });

  it('change password errors keep the old password', async () => {
    await addUser(root, 'bob', 'bob-pw', TYPE.USER);
    const bob = await judgeLogin(gw.url, 'bob', 'bob-pw');
    const P = '/api/user/change/password';
    await expectRejected(gw, () => bob.post(P, { new: 'x' }), 400, 'No old password!', P);
    await expectRejected(gw, () => bob.post(P, { old: '', new: 'x' }), 400, 'No old password!', P);
    await expectRejected(gw, () => bob.post(P, { old: 'bob-pw' }), 400, 'No new password!', P);
    await expectRejected(gw, () => bob.post(P, { old: 'bob-pw', new: '' }), 400, 'No new password!', P);
    await expectRejected(gw, () => bob.post(P, { old: 'bob-pw', new: 'x'.repeat(33) }), 400, 'Password too long!', P);
    await expectRejected(gw, () => bob.post(P, { old: 'wrong', new: 'x' }), 400, 'Wrong old password!', P);
    await expectRejected(gw, () => bob.post(P, { old: 'bob-pw', new: 12345 }), 400, /./, P);
    await expectRejected(gw, () => bob.post(P, { old: 12345, new: 'x' }), 400, /./, P);
    await expectRejected(gw, () => bob.post(P, '[]'), 400, /./, P);
    await expectRejected(gw, () => bob.post(P, '{"old":'), 400, /./, P);
    await judgeLogin(gw.url, 'bob', 'bob-pw');
    // 32 characters is still allowed.
    const ok = await bob.post(P, { old: 'bob-pw', new: 'y'.repeat(32) });
    expect(ok.status).toBe(200);
    await judgeLogin(gw.url, 'bob', 'y'.repeat(32));
  });
});
