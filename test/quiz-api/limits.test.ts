import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleLogger } from '../../src/observe/logger.js';
import { snapshot } from '../helpers/db.js';
import { gql } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import {
  APP_ID,
  createSchool,
  createStudent,
  digestFor,
  DOMAIN_TABLES,
  expectWireError,
  getNonce,
  quizLogin,
  raw,
  rootToken,
  startQuizGateway,
} from './support.js';

// Nonce lifetime, the per-login failure limit, and both across two gateway nodes that share
// one database: a nonce issued by one node is good once on any node, failures add up.

const LIMITS = { QUIZ_LOGIN_MAX_FAILURES: '3', QUIZ_LOGIN_LOCK_SECONDS: '1', QUIZ_NONCE_TTL_SECONDS: '1' };
let a: TestGateway;
let b: TestGateway;
/** The error records of gateway `a`. */
const faults: Record<string, any>[] = [];

beforeAll(async () => {
  a = await startQuizGateway(LIMITS, { log: consoleLogger('error', {}, (l) => faults.push(JSON.parse(l))) });
  b = await startTestGateway({ QUIZ_APP_IDS: APP_ID, ...LIMITS, DATABASE_URL: a.dbUrl });
  const token = await rootToken(a);
  const school = await createSchool(a, token, { name: 'S', login: 'school', password: 'school-pw' });
  for (const login of ['ann', 'ben'])
    await createStudent(a, token, { schoolId: school.id, name: login, surname: 'X', login, password: `${login}-pw` });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attempt(gw: TestGateway, login: string, password: string, nonceFrom: TestGateway = gw) {
  const nonce = await getNonce(new Client(nonceFrom.url));
  return raw(
    gw.url,
    'POST',
    '/v1/authorize',
    JSON.stringify({ nonce, login, appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(nonce, login, password) }),
    {
      'content-type': 'application/json',
    },
  );
}
const ok = (r: { text: string }) => expect(JSON.parse(r.text).status, r.text).toBe(200);

describe('nonces across nodes', () => {
  it('a nonce from one node is good once, on any node', async () => {
    const nonce = await getNonce(new Client(a.url));
    const body = JSON.stringify({ nonce, login: 'ann', appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(nonce, 'ann', 'ann-pw') });
    const h = { 'content-type': 'application/json' };
    ok(await raw(b.url, 'POST', '/v1/authorize', body, h));
    expectWireError(await raw(a.url, 'POST', '/v1/authorize', body, h), 401, 'Unauthorized.');
    expectWireError(await raw(b.url, 'POST', '/v1/authorize', body, h), 401, 'Unauthorized.');
  });

  it('two racing uses of one nonce: exactly one wins', async () => {
    const nonce = await getNonce(new Client(a.url));
    const body = JSON.stringify({ nonce, login: 'ben', appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(nonce, 'ben', 'ben-pw') });
    const h = { 'content-type': 'application/json' };
    const results = await Promise.all([a, b, a, b].map((gw) => raw(gw.url, 'POST', '/v1/authorize', body, h)));
    expect(results.map((r) => JSON.parse(r.text).status).sort()).toEqual([200, 401, 401, 401]);
  });
});

describe('failed logins per login, and nonce expiry', () => {
  it('locks a login after 3 failures counted on both nodes; the lock and an old nonce both run out', async () => {
    const stale = await getNonce(new Client(a.url));
    expectWireError(await attempt(a, 'ann', 'guess-1'), 400, 'Authorization is invalid.');
    expectWireError(await attempt(b, 'ann', 'guess-2'), 400, 'Authorization is invalid.');
    expectWireError(await attempt(a, 'ann', 'guess-3'), 400, 'Authorization is invalid.');
    // Locked: the right password is refused too, with the original's "over the limit" answer.
    const before = await snapshot(a.dbUrl, DOMAIN_TABLES);
    expectWireError(await attempt(b, 'ann', 'ann-pw'), 403, 'Forbidden.');
    expectWireError(await attempt(a, 'ann', 'ann-pw'), 403, 'Forbidden.');
    expect(await snapshot(a.dbUrl, DOMAIN_TABLES)).toBe(before);
    // The same through GraphQL: one service, one count.
    const nonce = await getNonce(new Client(a.url));
    const g = await gql(
      a.url,
      'mutation($n: String!, $d: String!) { quizAuthorize(nonce: $n, appid: "' +
        APP_ID +
        '", quizType: "quiz_b", login: "ann", digest: $d) { sid } }',
      {
        n: nonce,
        d: digestFor(nonce, 'ann', 'ann-pw'),
      },
    );
    expect(g.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Someone else is not affected.
    ok(await attempt(a, 'ben', 'ben-pw'));

    await sleep(1100);
    // The nonce issued before the wait has expired (QUIZ_NONCE_TTL_SECONDS=1)...
    const body = JSON.stringify({ nonce: stale, login: 'ben', appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(stale, 'ben', 'ben-pw') });
    expectWireError(await raw(a.url, 'POST', '/v1/authorize', body, { 'content-type': 'application/json' }), 401, 'Unauthorized.');
    // ...and the lock is over.
    ok(await attempt(b, 'ann', 'ann-pw'));
  });

  it('a success clears the count', async () => {
    expectWireError(await attempt(a, 'ben', 'guess-1'), 400, 'Authorization is invalid.');
    expectWireError(await attempt(a, 'ben', 'guess-2'), 400, 'Authorization is invalid.');
    ok(await attempt(a, 'ben', 'ben-pw'));
    expectWireError(await attempt(a, 'ben', 'guess-3'), 400, 'Authorization is invalid.');
    expectWireError(await attempt(b, 'ben', 'guess-4'), 400, 'Authorization is invalid.');
    ok(await attempt(b, 'ben', 'ben-pw'));
  });

  it('counts unknown logins the same, so a lock tells nothing about who exists', async () => {
    for (let i = 0; i < 3; i++) expectWireError(await attempt(a, 'ghost', `guess-${i}`), 400, 'Authorization is invalid.');
    expectWireError(await attempt(a, 'ghost', 'anything'), 403, 'Forbidden.');
  });

  it('a crash answers in the envelope: 500 INTERNAL SERVER ERROR (the store made to fail)', async () => {
    const db = createClient({ url: a.dbUrl });
    await db.execute('ALTER TABLE quiz_nonces RENAME TO quiz_nonces_away');
    faults.length = 0;
    try {
      const r = await raw(a.url, 'GET', '/v1/authorize');
      expectWireError(r, 500, 'INTERNAL SERVER ERROR');
      // The gateway logs the crash, on the request's record (its request id), with the error.
      expect(faults).toEqual([expect.objectContaining({ level: 50, msg: 'unexpected error', reqId: expect.any(String) })]);
      expect(faults[0]!.err.message).toContain('quiz_nonces');
    } finally {
      await db.execute('ALTER TABLE quiz_nonces_away RENAME TO quiz_nonces');
      db.close();
    }
    ok(await quizLogin(new Client(a.url), 'ben', 'ben-pw'));
  });
});
