import { createClient } from '@libsql/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import type { TestGateway } from '../helpers/gateway.js';
import { ROOT_PASSWORD } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import {
  APP_ID,
  createSchool,
  createStudent,
  DOMAIN_TABLES,
  digestFor,
  JSON_TYPE,
  md5,
  rootToken,
  startQuizGateway,
  wireExchange,
} from './support.js';

// The spec's commit (a6247a0) ran tests/http/test_auth.py against its server; here every request
// of that file goes out as its client wrote it (python-requests 1.2.3 on CPython 2.7, through
// httplib: the request line, Host, then the headers in the order of requests' header dict, the
// body exactly as json.dumps wrote it, keys in CPython 2.7's dict order, ", " and ": ") and the
// answer is checked to the byte. The bodies below are what CPython 2.7.18 prints for the test's
// own createAuthData / createAuthFor (its tests/tests_common.py), nonce 12: a nonce never issued.

const UA = 'python-requests/1.2.3 CPython/2.7.3 Linux/3.2.0-4-amd64';
/** The original's admin (its tests_common.createAuthFor). */
const ADMIN_PASSWORD = 's=myA{xOYQ.(Vbgx26';

/** `requests.post(url('/authorize'), [headers={'content-type': 'application/json'},] data=body)`. */
function post(body: string, contentType?: string): string {
  const type = contentType === undefined ? '' : `content-type: ${contentType}\r\n`;
  return (
    `POST /v1/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${type}` +
    `Accept-Encoding: gzip, deflate, compress\r\nAccept: */*\r\nUser-Agent: ${UA}\r\n\r\n${body}`
  );
}
/** `requests.Session().get(url('/authorize'))`. */
const GET = `GET /v1/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, deflate, compress\r\nAccept: */*\r\nUser-Agent: ${UA}\r\n\r\n`;

/** json.dumps(createAuthData(12, login=[1, 2])) */
const WRONG_LOGIN =
  '{"nonce": 12, "login": [1, 2], "quiz_type": "quiz_b", "digest": "23d5cfba4bf11a2616f48b439fe5f976", "appid": "32bfe1c505d4a2a042bafd53993f10ece3ccddca"}';
/** json.dumps(createAuthData(12, appkey=[1, 2])) */
const WRONG_APPID = '{"nonce": 12, "login": "testuser", "quiz_type": "quiz_b", "digest": "807100c2166e7dbff3c861f0e80775e1", "appid": [1, 2]}';
/** data = createAuthData(12); data['digest'] = [1, 2]; json.dumps(data) */
const WRONG_DIGEST =
  '{"nonce": 12, "login": "testuser", "quiz_type": "quiz_b", "digest": [1, 2], "appid": "32bfe1c505d4a2a042bafd53993f10ece3ccddca"}';

/** json.dumps(createAuthFor(type, nonce)): the same five keys, so the same CPython 2.7 order. */
const authFor = (nonce: string, login: string, password: string) =>
  `{"nonce": "${nonce}", "login": "${login}", "quiz_type": "quiz_b", "digest": "${digestFor(nonce, login, password)}", "appid": "${APP_ID}"}`;

/** Everything a login may write: people, profiles, sessions, nonces, failure counts. */
const STORED = [...DOMAIN_TABLES, 'quiz_nonces', 'login_failures'];

let gw: TestGateway;
let schoolId: number;

beforeAll(async () => {
  // One counted failure would lock a login: the refusals below must count none.
  gw = await startQuizGateway({ QUIZ_LOGIN_MAX_FAILURES: '1' });
  const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
  expect((await root.post('/api/admin/user/add', { username: 'admin', password: ADMIN_PASSWORD, type: 100 })).status).toBe(200);
  const token = await rootToken(gw);
  // tests_common.cleanupdb_onSetupAccDb(add_users=True): the school (its guest too) and testuser.
  schoolId = (await createSchool(gw, token, { name: 'Chuck Norris School', login: 'chuck@norris.com', password: 'boo' })).id;
  await createStudent(gw, token, { schoolId, name: 'Test', surname: 'User', login: 'testuser', password: 'testpasswd' });
});
afterAll(() => gw?.stop());

/** The original's error answer, as it wrote it: HTTP 200, its JSON type, compact JSON. */
function expectAnswer(r: Awaited<ReturnType<typeof wireExchange>>, text: string): void {
  expect(r.status, r.text).toBe(200);
  expect(r.headers.get('content-type')).toBe(JSON_TYPE);
  expect(r.text).toBe(text);
}

/** An issued nonce as requests' client got it (GET /authorize). */
async function issued(): Promise<string> {
  const r = await wireExchange(gw.url, GET);
  expect(r.text).toMatch(/^\{"nonce":"[0-9a-f]{32}","status":401\}$/);
  return JSON.parse(r.text).nonce;
}

describe('test_sendWrong: fields of the wrong JSON type, nonce 12 (never issued)', () => {
  it("the test's digests are its createAuthData's: MD5('12:' + MD5('<login as %s>:testpasswd'))", () => {
    expect(md5(`12:${md5('[1, 2]:testpasswd')}`)).toBe('23d5cfba4bf11a2616f48b439fe5f976');
    expect(digestFor('12', 'testuser', 'testpasswd')).toBe('807100c2166e7dbff3c861f0e80775e1');
  });

  it.each([
    // The accounts service is asked about the nonce first: never issued, 401.
    ['login: [1, 2]', WRONG_LOGIN, '{"status":401,"description":"Unauthorized."}'],
    // The application id is looked up before anything else (a list: an SQL error, an unknown app).
    ['appid: [1, 2]', WRONG_APPID, '{"status":400,"description":"Authorization is invalid."}'],
    ['digest: [1, 2]', WRONG_DIGEST, '{"status":401,"description":"Unauthorized."}'],
  ])('%s: the answer to the byte, nothing stored, nothing counted', async (_name, body, answer) => {
    const before = await snapshot(gw.dbUrl, STORED);
    const r = await wireExchange(gw.url, post(body, 'application/json'));
    expectAnswer(r, answer);
    expect(r.headers.getSetCookie()).toEqual([]);
    expect(await snapshot(gw.dbUrl, STORED)).toBe(before);
  });

  it('testuser, named by the digest case, is not locked: one counted failure would have (QUIZ_LOGIN_MAX_FAILURES=1)', async () => {
    for (const body of [WRONG_LOGIN, WRONG_APPID, WRONG_DIGEST]) await wireExchange(gw.url, post(body, 'application/json'));
    const r = await wireExchange(gw.url, post(authFor(await issued(), 'testuser', 'testpasswd'), 'application/json'));
    expect(JSON.parse(r.text)).toMatchObject({ status: 200, user: { type: 'student', name: 'Test', surname: 'User' } });
  });
});

describe('test_sendMalformed', () => {
  it.each([
    ['no JSON type, empty body', post(''), '{"status":400,"description":"Not a JSON."}'],
    ['JSON type, empty body', post('', 'application/json'), '{"status":400,"description":"Not a JSON."}'],
    ['{}', post('{}', 'application/json'), '{"status":400,"description":"Invalid parameters."}'],
    ['no digest', post('{"nonce": 12, "login": "hi", "appid": "ff"}', 'application/json'), '{"status":400,"description":"Invalid parameters."}'],
  ])('%s', async (_name, request, answer) => {
    const before = await snapshot(gw.dbUrl, STORED);
    expectAnswer(await wireExchange(gw.url, request), answer);
    expect(await snapshot(gw.dbUrl, STORED)).toBe(before);
  });
});

describe('test_getAuth, test_ok and the user types', () => {
  it('test_getAuth: a nonce and status 401', async () => {
    expect(await issued()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('test_authAdmin: {"type":"admin","id":"-1"}, no name, no surname', async () => {
    const r = await wireExchange(gw.url, post(authFor(await issued(), 'admin', ADMIN_PASSWORD), 'application/json'));
    const sid = JSON.parse(r.text).sid as string;
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    expectAnswer(r, `{"status":200,"user":{"type":"admin","id":"-1"},"sid":"${sid}"}`);
    const cookie = `Cookie: QUIZSID=${sid}\r\n`;
    const s = await wireExchange(gw.url, `GET /v1/authorize/status HTTP/1.1\r\nHost: 127.0.0.1\r\n${cookie}\r\n`);
    expectAnswer(s, '{"status":200,"user":{"type":"admin","id":"-1"}}');
  });

  it.each([
    ['test_ok', 'testuser', 'testpasswd', { name: 'Test', surname: 'User', type: 'student' }],
    ['test_authSchool', 'chuck@norris.com', 'boo', { name: 'Chuck Norris School', type: 'school' }],
    ['test_authGuest', 'chuck@norris.com-guest', 'guest', { name: 'Chuck Norris School', surname: '', type: 'guest' }],
  ])('%s', async (_name, login, password, fields) => {
    const r = await wireExchange(gw.url, post(authFor(await issued(), login, password), 'application/json'));
    const data = JSON.parse(r.text);
    expect(data.status).toBe(200);
    expect(data.sid).toMatch(/^[0-9a-f]{32}$/);
    expect(r.headers.getSetCookie()[0]).toMatch(/^QUIZSID=[0-9a-f]{32};/);
    expect(data.user).toMatchObject(fields);
    expect(data.user).toHaveProperty('id');
    if (fields.type === 'school') expect(data.user).not.toHaveProperty('surname');
  });
});

// Beyond the original's three cases: every field, every other JSON type, through the same order
// of checks (presence; application id; nonce; lock and digest, counted per login; quiz type).

const TYPES: Array<[string, unknown]> = [
  ['a number', 7],
  ['a fraction', 1.5],
  ['an object', { a: 1 }],
  ['an empty object', {}],
  ['null', null],
  ['true', true],
  ['false', false],
  ['a list', [1, 2]],
  ['an empty list', []],
];

async function table(sql: string, args: Array<string | number> = []) {
  const db = createClient({ url: gw.dbUrl });
  try {
    return (await db.execute({ sql, args })).rows;
  } finally {
    db.close();
  }
}
const nonceStored = async (nonce: string) => (await table('SELECT 1 FROM quiz_nonces WHERE nonce = ?', [nonce])).length === 1;

const send = (body: Record<string, unknown>) => wireExchange(gw.url, post(JSON.stringify(body), 'application/json'));
const error = (status: number, description: string) => JSON.stringify({ status, description });
const UNAUTHORIZED = error(401, 'Unauthorized.');
const AUTH_INVALID = error(400, 'Authorization is invalid.');
const INVALID_PARAMETERS = error(400, 'Invalid parameters.');

/** A complete body for testuser: over a nonce this gateway issued, or over one it never did. */
async function body(fresh: boolean, over: Record<string, unknown>) {
  const nonce = fresh ? await issued() : 'cf7d8c2e4511132eb3acf7082e9147d9';
  return { nonce, login: 'testuser', appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(nonce, 'testuser', 'testpasswd'), ...over };
}

describe('every wrong JSON type, in the original order of checks', () => {
  let outsider: string;
  let before: string;
  beforeEach(async () => {
    await table('DELETE FROM login_failures');
    // Someone else's nonce, waiting for its own login: no refusal may spend it.
    outsider = await issued();
    before = await snapshot(gw.dbUrl, DOMAIN_TABLES);
  });
  /** No person, profile or session changed, the outsider's nonce kept; `counted` failures in all. */
  const nothingElseChanged = async (counted = 0) => {
    expect(await nonceStored(outsider)).toBe(true);
    expect(await snapshot(gw.dbUrl, DOMAIN_TABLES)).toBe(before);
    const accounts = "SELECT substr(key, 9) AS login, failures FROM login_failures WHERE key LIKE 'account:%'";
    expect((await table(accounts)).map((r) => ({ ...r }))).toEqual(counted ? [{ login: 'testuser', failures: counted }] : []);
  };

  it.each(TYPES)('appid as %s: Authorization is invalid. first, the nonce not spent', async (_name, value) => {
    for (const fresh of [true, false]) {
      const b = await body(fresh, { appid: value });
      expectAnswer(await send(b), AUTH_INVALID);
      if (fresh) expect(await nonceStored(b.nonce as string)).toBe(true);
    }
    await nothingElseChanged();
  });

  it.each(TYPES.filter(([, v]) => typeof v !== 'number'))('nonce as %s: never issued, Unauthorized.', async (_name, value) => {
    expectAnswer(await send(await body(false, { nonce: value })), UNAUTHORIZED);
    await nothingElseChanged();
  });

  it('nonce as a number: its decimal text, never issued here, Unauthorized.', async () => {
    for (const nonce of [12, 1.5, 0, -3, 12345678901234567890]) expectAnswer(await send(await body(false, { nonce })), UNAUTHORIZED);
    await nothingElseChanged();
  });

  it.each(TYPES)(
    'login as %s: Unauthorized. over an unknown nonce; over an issued one Authorization is invalid., counted nowhere',
    async (_n, value) => {
      expectAnswer(await send(await body(false, { login: value })), UNAUTHORIZED);
      const b = await body(true, { login: value });
      expectAnswer(await send(b), AUTH_INVALID);
      expect(await nonceStored(b.nonce as string)).toBe(false); // one nonce, one attempt
      await nothingElseChanged(); // no failure row: a login that is not text names no account
    },
  );

  it.each(TYPES)('digest as %s: Unauthorized. over an unknown nonce; over an issued one a wrong digest for testuser', async (_n, value) => {
    expectAnswer(await send(await body(false, { digest: value })), UNAUTHORIZED);
    await nothingElseChanged();
    const b = await body(true, { digest: value });
    expectAnswer(await send(b), AUTH_INVALID);
    expect(await nonceStored(b.nonce as string)).toBe(false);
    // A wrong answer to the challenge for a named login: counted, as any wrong digest.
    await nothingElseChanged(1);
  });

  it.each([...TYPES, ['missing', undefined] as [string, unknown]])(
    'quiz_type as %s: read after the credentials (Unauthorized. over an unknown nonce, else Invalid parameters.)',
    async (_n, value) => {
      expectAnswer(await send(await body(false, { quiz_type: value })), UNAUTHORIZED);
      const b = await body(true, { quiz_type: value });
      const r = await send(b);
      expectAnswer(r, INVALID_PARAMETERS);
      expect(r.headers.getSetCookie()).toEqual([]);
      expect(await nonceStored(b.nonce as string)).toBe(false);
      await nothingElseChanged(); // no session, no failure
    },
  );

  it.each(['nonce', 'login', 'appid', 'digest'])('%s missing: Invalid parameters. before any check', async (field) => {
    for (const fresh of [true, false]) {
      const b: Record<string, unknown> = await body(fresh, { appid: [1, 2] });
      delete b[field];
      expectAnswer(await send(b), INVALID_PARAMETERS);
      if (fresh && field !== 'nonce') expect(await nonceStored(b.nonce as string)).toBe(true);
    }
    await nothingElseChanged();
  });

  it('a locked login still answers Unauthorized. for an unknown nonce (the nonce comes first), Forbidden. for an issued one', async () => {
    const wrong = await body(true, { digest: 'f'.repeat(32) });
    expectAnswer(await send(wrong), AUTH_INVALID); // locked now (QUIZ_LOGIN_MAX_FAILURES=1)
    expectAnswer(await send(await body(false, {})), UNAUTHORIZED);
    expectAnswer(await send(await body(true, {})), error(403, 'Forbidden.'));
    // A login that is not text is never the locked one.
    expectAnswer(await send(await body(true, { login: ['testuser'] })), AUTH_INVALID);
    await table('DELETE FROM login_failures');
  });
});
