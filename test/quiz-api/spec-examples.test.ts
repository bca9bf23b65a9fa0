import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import {
  APP_ID,
  createSchool,
  createStudent,
  digestFor,
  HEX32,
  JSON_TYPE,
  md5,
  plantNonce,
  quizLogin,
  raw,
  rootToken,
  startQuizGateway,
  expectWireError,
} from './support.js';
import { ROOT_PASSWORD } from '../helpers/gateway.js';

// Spec 002's examples, replayed byte for byte against the original's wire format
// (LEGACY-NOTES part A): HTTP 200, compact JSON, CPython 2.7's key order.

let gw: TestGateway;
let school: { id: number };
let student: { id: number };
let guestId: number;

beforeAll(async () => {
  gw = await startQuizGateway();
  const token = await rootToken(gw);
  // The original's test accounts (its tests/tests_common.py).
  school = await createSchool(gw, token, { name: 'Chuck Norris School', login: 'chuck@norris.com', password: 'boo' });
  student = await createStudent(gw, token, { schoolId: school.id, name: 'Test', surname: 'User', login: 'testuser', password: 'testpasswd' });
  const guest = new Client(gw.url);
  guestId = (await quizLogin(guest, 'chuck@norris.com-guest', 'guest')).json.user.id;
});
afterAll(() => gw?.stop());

const studentUser = () => ({ surname: 'User', name: 'Test', id: student.id, type: 'student', school_id: school.id });

describe('GET /v1/authorize', () => {
  it('answers the example: HTTP 200, {"nonce":"<32 hex>","status":401}', async () => {
    const r = await raw(gw.url, 'GET', '/v1/authorize');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(JSON_TYPE);
    expect(r.text).toMatch(/^\{"nonce":"[0-9a-f]{32}","status":401\}$/);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const again = await raw(gw.url, 'GET', '/v1/authorize');
    expect(again.text).not.toBe(r.text);
  });
});

describe('POST /v1/authorize', () => {
  it("replays the spec's example request to the byte, with the original's test password", async () => {
    // The example's digest is MD5(nonce:MD5("testuser:testpasswd")): a real answer to that nonce.
    expect(digestFor('cf7d8c2e4511132eb3acf7082e9147d9', 'testuser', 'testpasswd')).toBe('2389ce38fd88cfcdce0484269cbbccb2');
    await plantNonce(gw, 'cf7d8c2e4511132eb3acf7082e9147d9');
    const body = `{
        "nonce": "cf7d8c2e4511132eb3acf7082e9147d9",
        "login": "testuser",
        "appid": "32bfe1c505d4a2a042bafd53993f10ece3ccddca",
        "quiz_type": "quiz_b",
        "digest": "2389ce38fd88cfcdce0484269cbbccb2"
      }`;
    const r = await raw(gw.url, 'POST', '/v1/authorize', body, { 'content-type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(JSON_TYPE);
    const sid = JSON.parse(r.text).sid as string;
    expect(sid).toMatch(HEX32);
    // The original's order: status, user, sid; the user as its code sent it (with school_id, without passwd).
    expect(r.text).toBe(JSON.stringify({ status: 200, user: studentUser(), sid }));
    expect(r.headers.getSetCookie()).toEqual([`QUIZSID=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');

    // The status example (its "status": 401 is a typo of the document: the code sends 200).
    const s = await raw(gw.url, 'GET', '/v1/authorize/status', undefined, { cookie: `QUIZSID=${sid}` });
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe(JSON_TYPE);
    expect(s.text).toBe(JSON.stringify({ status: 200, user: studentUser() }));

    // The example's nonce was used once: the same request again is refused.
    const again = await raw(gw.url, 'POST', '/v1/authorize', body, { 'content-type': 'application/json; charset=utf-8' });
    expectWireError(again, 401, 'Unauthorized.');
  });

  it('sends each user type with its own fields, in its own order, and never a password hash', async () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['testuser', 'testpasswd', studentUser()],
      ['chuck@norris.com', 'boo', { type: 'school', id: school.id, name: 'Chuck Norris School' }],
      ['chuck@norris.com-guest', 'guest', { surname: '', name: 'Chuck Norris School', id: guestId, type: 'guest', school_id: school.id }],
      // ROOT of the one identity is the quiz's admin, shown as the spec's commit (a6247a0) showed its admin.
      ['root', ROOT_PASSWORD, { type: 'admin', id: '-1' }],
    ];
    for (const [login, password, user] of cases) {
      const c = new Client(gw.url);
      const r = await quizLogin(c, login, password);
      expect(r.text).toBe(JSON.stringify({ status: 200, user, sid: r.json.sid }));
      expect(r.text).not.toContain(md5(`${login}:${password}`));
      expect(r.text).not.toMatch(/passwd|password|ha1|hash/i);
      const s = await c.get('/v1/authorize/status');
      expect(s.text).toBe(JSON.stringify({ status: 200, user }));
    }
  });

  it("reads a JSON-number nonce as its decimal text, as the original's tests sent it (nonce=123)", async () => {
    await plantNonce(gw, '123');
    const body = `{"nonce": 123, "appid": "${APP_ID}", "login": "testuser", "quiz_type": "quiz_b", "digest": "${digestFor('123', 'testuser', 'testpasswd')}"}`;
    const r = await raw(gw.url, 'POST', '/v1/authorize', body, { 'content-type': 'application/json' });
    expect(JSON.parse(r.text)).toMatchObject({ status: 200, user: studentUser() });

    // Exactly, past 2^53 too: a JS number would have rounded these 32 digits.
    const big = '12345678901234567890123456789012';
    await plantNonce(gw, big);
    const body2 = `{"nonce":${big},"appid":"${APP_ID}","login":"testuser","quiz_type":"quiz_b","digest":"${digestFor(big, 'testuser', 'testpasswd')}"}`;
    const r2 = await raw(gw.url, 'POST', '/v1/authorize', body2, { 'content-type': 'application/json' });
    expect(JSON.parse(r2.text)).toMatchObject({ status: 200, user: studentUser() });
  });

  it('escapes non-ASCII as Python 2 json.dumps did', async () => {
    const token = await rootToken(gw);
    const s = await createStudent(gw, token, { schoolId: school.id, name: 'Jürgen', surname: 'Ørsted 😀', login: 'jurgen', password: 'pw-j' });
    const r = await quizLogin(new Client(gw.url), 'jurgen', 'pw-j');
    expect(r.text).toBe(
      `{"status":200,"user":{"surname":"\\u00d8rsted \\ud83d\\ude00","name":"J\\u00fcrgen","id":${s.id},"type":"student","school_id":${school.id}},"sid":"${r.json.sid}"}`,
    );
  });
});

describe('the session: QUIZSID cookie or ?sid=', () => {
  it('finds the session from ?sid= without any cookie (cross-domain clients)', async () => {
    const c = new Client(gw.url);
    const sid = (await quizLogin(c, 'testuser', 'testpasswd')).json.sid;
    const r = await raw(gw.url, 'GET', `/v1/authorize/status?sid=${sid}`);
    expect(r.text).toBe(JSON.stringify({ status: 200, user: studentUser() }));
  });

  it('lets ?sid= replace the cookie, as the original middleware did', async () => {
    const c = new Client(gw.url);
    const sid = (await quizLogin(c, 'testuser', 'testpasswd')).json.sid;
    expectWireError(
      await raw(gw.url, 'GET', '/v1/authorize/status?sid=0123456789abcdef0123456789abcdef', undefined, { cookie: `QUIZSID=${sid}` }),
      401,
      'Unauthorized.',
    );
    expectWireError(await raw(gw.url, 'GET', '/v1/authorize/status?sid=', undefined, { cookie: `QUIZSID=${sid}` }), 401, 'Unauthorized.');
    const school = new Client(gw.url);
    const schoolSid = (await quizLogin(school, 'chuck@norris.com', 'boo')).json.sid;
    const r = await raw(gw.url, 'GET', `/v1/authorize/status?lang=it&sid=${schoolSid}`, undefined, { cookie: `QUIZSID=${sid}` });
    expect(JSON.parse(r.text).user.type).toBe('school');
  });

  it('answers Unauthorized. without a session, or with an unknown one', async () => {
    expectWireError(await raw(gw.url, 'GET', '/v1/authorize/status'), 401, 'Unauthorized.');
    expectWireError(await raw(gw.url, 'GET', '/v1/authorize/status', undefined, { cookie: 'QUIZSID=nope' }), 401, 'Unauthorized.');
  });

  it('gives a new session id at each login and ends the one the client still carried', async () => {
    const c = new Client(gw.url);
    const first = (await quizLogin(c, 'testuser', 'testpasswd')).json.sid;
    const second = (await quizLogin(c, 'testuser', 'testpasswd')).json.sid;
    expect(second).not.toBe(first);
    expect(c.cookies.get('QUIZSID')).toBe(second);
    expectWireError(await raw(gw.url, 'GET', `/v1/authorize/status?sid=${first}`), 401, 'Unauthorized.');
    expect(JSON.parse((await raw(gw.url, 'GET', `/v1/authorize/status?sid=${second}`)).text).status).toBe(200);
  });
});
