import { createHash } from 'node:crypto';
import { hashSync } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../helpers/doors.js';
import type { TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { createUser, startIntegrationGateway, withDb } from './support.js';

// Passwords as the original's clients send them, and the same person logging in everywhere:
// the judge API (POST /api/login), the token doors, and the quiz's digest (HA1 = MD5(login:pw)).

let gw: TestGateway;

const QUIZ_APP = 'integration-test-quiz-app';

beforeAll(async () => {
  gw = await startIntegrationGateway({ QUIZ_APP_IDS: QUIZ_APP });
});

afterAll(() => gw?.stop());

const stored = (username: string) =>
  withDb(gw, async (db) => (await db.execute({ sql: 'SELECT password_hash, ha1 FROM users WHERE username = ?', args: [username] })).rows[0]!);
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The quiz's legacy login, as its clients do it: a nonce, then MD5(nonce:MD5(login:password)). */
async function quizLogin(login: string, password: string) {
  const c = new Client(gw.url);
  const nonce = (await c.get('/v1/authorize')).json.nonce as string;
  const r = await c.post('/v1/authorize', {
    nonce,
    login,
    appid: QUIZ_APP,
    quiz_type: 'quiz_b',
    digest: md5(`${nonce}:${md5(`${login}:${password}`)}`),
  });
  return r.json as { status: number; description?: string; sid?: string };
}

async function judgeLogin(username: string, password: string) {
  const r = await new Client(gw.url).post('/api/login', { username, password });
  return { status: r.status, body: r.json };
}

describe('passwords from the integration API', () => {
  it('plaintext:<pw> and a bare password are hashed here, never stored in clear, and log in', async () => {
    await createUser(gw, { username: 'plain', password: 'plaintext:open sesame' });
    await createUser(gw, { username: 'bare', password: 'just-a-password' });
    for (const [u, pw] of [
      ['plain', 'open sesame'],
      ['bare', 'just-a-password'],
    ] as const) {
      const row = await stored(u);
      expect(String(row.password_hash)).toMatch(/^pbkdf2-sha256\$/);
      expect(String(row.password_hash)).not.toContain(pw);
      expect(row.ha1).toBe(md5(`${u}:${pw}`)); // the quiz's digest works at once
      const ok = await judgeLogin(u, pw);
      expect(ok.status).toBe(200);
      expect(ok.body.type).toBe(200);
      expect(await quizLogin(u, pw)).toMatchObject({ status: 200, sid: expect.stringMatching(/^[0-9a-f]{32}$/) });
    }
    expect((await judgeLogin('plain', 'plaintext:open sesame')).status).toBe(400);
  });

  it('bcrypt:<hash> ($2b$ and $2y$) is stored as given, checked with bcrypt at login, then upgraded', async () => {
    const b = hashSync('legacy-secret', 4); // as the other system made it
    const y = hashSync('php-secret', 4).replace(/^\$2b\$/, '$2y$');
    await createUser(gw, { username: 'bcrypt-b', password: `bcrypt:${b}` });
    await createUser(gw, { username: 'bcrypt-y', password: `bcrypt:${y}` });
    expect(await stored('bcrypt-b')).toMatchObject({ password_hash: b, ha1: null });

    // The quiz digest needs MD5(login:password), which a bcrypt hash cannot give: not before a first login.
    expect(await quizLogin('bcrypt-b', 'legacy-secret')).toMatchObject({ status: 400, description: 'Authorization is invalid.' });
    // A wrong password changes nothing.
    expect((await judgeLogin('bcrypt-b', 'guess')).status).toBe(400);
    expect((await stored('bcrypt-b')).password_hash).toBe(b);

    for (const [u, pw] of [
      ['bcrypt-b', 'legacy-secret'],
      ['bcrypt-y', 'php-secret'],
    ] as const) {
      expect((await judgeLogin(u, pw)).status).toBe(200);
      const row = await stored(u);
      expect(String(row.password_hash)).toMatch(/^pbkdf2-sha256\$/);
      expect(row.ha1).toBe(md5(`${u}:${pw}`)); // from now on the quiz digest works too
      expect((await judgeLogin(u, pw)).status).toBe(200);
      expect(await quizLogin(u, pw)).toMatchObject({ status: 200 });
    }
  });

  it('the token doors accept the same passwords (GraphQL login)', async () => {
    await createUser(gw, { username: 'doors', password: `bcrypt:${hashSync('door-pw', 4)}` });
    const r = await gql(gw.url, 'mutation { login(username: "doors", password: "door-pw") { user { username type } } }');
    expect(r.data?.login.user).toEqual({ username: 'doors', type: 200 });
  });
});
