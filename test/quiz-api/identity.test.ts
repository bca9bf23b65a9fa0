import { createClient } from '@libsql/client';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPasswordScheme } from '../../src/identity/password.js';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { expectWireError, quizLogin, startQuizGateway } from './support.js';

// One identity: a person created by another API logs into the quiz with the same password.

let gw: TestGateway;
let root: Client;

beforeAll(async () => {
  gw = await startQuizGateway();
  root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
});
afterAll(() => gw?.stop());

async function ha1Of(username: string): Promise<unknown> {
  const db = createClient({ url: gw.dbUrl });
  try {
    return (await db.execute({ sql: 'SELECT ha1 FROM users WHERE username = ?', args: [username] })).rows[0]?.ha1;
  } finally {
    db.close();
  }
}

describe('people from the judge API (spec 004)', () => {
  it('a USER added by ROOT logs into the quiz with the same password, as a student without a school', async () => {
    expect((await root.post('/api/admin/user/add', { username: 'alice', password: 'alice-pw', type: 200 })).status).toBe(200);
    const c = new Client(gw.url);
    const r = await quizLogin(c, 'alice', 'alice-pw');
    expect(r.json.status).toBe(200);
    const id = r.json.user.id;
    expect(Number.isInteger(id) && id > 0).toBe(true);
    expect(r.text).toBe(`{"status":200,"user":{"surname":"","name":"alice","id":${id},"type":"student","school_id":null},"sid":"${r.json.sid}"}`);
    // The quiz id is that person's for good.
    expect((await quizLogin(new Client(gw.url), 'alice', 'alice-pw')).json.user.id).toBe(id);
    expectWireError(await quizLogin(new Client(gw.url), 'alice', 'wrong'), 400, 'Authorization is invalid.');
  });

  it('an ADMIN is the quiz admin', async () => {
    await root.post('/api/admin/user/add', { username: 'boss', password: 'boss-pw', type: 100 });
    const r = await quizLogin(new Client(gw.url), 'boss', 'boss-pw');
    expect(r.text).toBe(`{"status":200,"user":{"type":"admin","id":"-1"},"sid":"${r.json.sid}"}`);
  });

  it('a password changed through the judge API changes the quiz password', async () => {
    await root.post('/api/admin/user/add', { username: 'dave', password: 'old-pw', type: 200 });
    expect((await root.post('/api/admin/user/change/password', { username: 'dave', password: 'new-pw' })).status).toBe(200);
    expectWireError(await quizLogin(new Client(gw.url), 'dave', 'old-pw'), 400, 'Authorization is invalid.');
    expect((await quizLogin(new Client(gw.url), 'dave', 'new-pw')).json.status).toBe(200);
  });

  it('the quiz session is the one identity: the judge API and GraphQL see the same person', async () => {
    const c = new Client(gw.url);
    const sid = (await quizLogin(c, 'alice', 'alice-pw')).json.sid;
    const me = await gql(gw.url, '{ me { username } quizStatus { username type } }', {}, { cookie: `QUIZSID=${sid}` });
    expect(me.data).toEqual({ me: { username: 'alice' }, quizStatus: { username: 'alice', type: 'student' } });
  });
});

describe('a person stored with a foreign hash (bcrypt, as the contest integration API stores `bcrypt:`)', () => {
  it('has no HA1 until a first password login anywhere; then the digest works', async () => {
    // What the integration API registers for its bcrypt users (same prefix, same check).
    registerPasswordScheme('$2', (pw, stored) => bcrypt.compare(pw, stored));
    const hash = await bcrypt.hash('carol-pw', 4);
    await gw.services.users.create({ username: 'carol', passwordHash: hash, judgeType: 200 });
    expect(await ha1Of('carol')).toBeNull();

    // The digest needs MD5(login:password), which nobody has yet: refused like a wrong password.
    expectWireError(await quizLogin(new Client(gw.url), 'carol', 'carol-pw'), 400, 'Authorization is invalid.');

    // Any password login (here GraphQL's) verifies the bcrypt hash and writes PBKDF2 + HA1.
    const login = await gql(gw.url, 'mutation { login(username: "carol", password: "carol-pw") { token } }');
    expect(login.errors).toBeUndefined();
    expect(await ha1Of('carol')).toMatch(/^[0-9a-f]{32}$/);
    const r = await quizLogin(new Client(gw.url), 'carol', 'carol-pw');
    expect(r.json.user).toMatchObject({ type: 'student', name: 'carol' });
  });
});

describe('QUIZ_HA1=off', () => {
  it('turns the digest protocol off, stale HA1s included; the other doors still know the person', async () => {
    const off = await startQuizGateway({ QUIZ_HA1: 'off', DATABASE_URL: gw.dbUrl });
    try {
      expect(await ha1Of('alice')).toMatch(/^[0-9a-f]{32}$/); // written while it was on
      expectWireError(await quizLogin(new Client(off.url), 'alice', 'alice-pw'), 400, 'Authorization is invalid.');
      const token = (await gql(off.url, 'mutation { login(username: "alice", password: "alice-pw") { token } }')).data.login.token;
      const s = await gql(off.url, '{ quizStatus { type username } }', {}, { authorization: `Bearer ${token}` });
      expect(s.data.quizStatus).toEqual({ type: 'student', username: 'alice' });
    } finally {
      await off.stop();
    }
  });
});
