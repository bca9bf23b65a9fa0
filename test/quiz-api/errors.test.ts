import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import type { TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import {
  APP_ID,
  createSchool,
  createStudent,
  digestFor,
  DOMAIN_TABLES,
  expectWireError,
  getNonce,
  JSON_TYPE,
  OTHER_APP_ID,
  quizLogin,
  raw,
  rootToken,
  startQuizGateway,
} from './support.js';

// Every refusal answers in the original's envelope (HTTP 200, its status and text), never a
// crash, and stores nothing: no user, no profile, no session.

let gw: TestGateway;
let before: string;

beforeAll(async () => {
  // Failures are counted per login; a high limit keeps this file's many refusals from locking anyone.
  gw = await startQuizGateway({ QUIZ_LOGIN_MAX_FAILURES: '1000' });
  const token = await rootToken(gw);
  const school = await createSchool(gw, token, { name: 'School', login: 'school', password: 'school-pw' });
  await createStudent(gw, token, { schoolId: school.id, name: 'Ann', surname: 'Lee', login: 'ann', password: 'ann-pw' });
  // Access ended yesterday (UTC): the student's own date, and a whole school's.
  await createStudent(gw, token, {
    schoolId: school.id,
    name: 'Old',
    surname: 'Timer',
    login: 'expired',
    password: 'old-pw',
    accessUntil: '2001-01-01',
  });
  const closed = await createSchool(gw, token, { name: 'Closed', login: 'closed', password: 'closed-pw', accessUntil: '2001-01-01' });
  await createStudent(gw, token, { schoolId: closed.id, name: 'Bo', surname: 'Day', login: 'bo', password: 'bo-pw' });
  // ann has a profile already (a first login), so a refused login cannot be the one creating it.
  await quizLogin(new Client(gw.url), 'ann', 'ann-pw');
});
afterAll(() => gw?.stop());
beforeEach(async () => {
  before = await snapshot(gw.dbUrl, DOMAIN_TABLES);
});
const unchanged = async () => expect(await snapshot(gw.dbUrl, DOMAIN_TABLES)).toBe(before);

/** A complete, correct login body for ann over a fresh nonce. */
async function body(over: Record<string, unknown> = {}) {
  const nonce = await getNonce(new Client(gw.url));
  return { nonce, login: 'ann', appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(nonce, 'ann', 'ann-pw'), ...over };
}
const post = (b: unknown, type = 'application/json') =>
  raw(
    gw.url,
    'POST',
    '/v1/authorize',
    typeof b === 'string' || b instanceof Uint8Array ? b : JSON.stringify(b),
    type ? { 'content-type': type } : {},
  );

describe('Not a JSON.', () => {
  it.each([
    ['no Content-Type', undefined],
    ['text/plain', 'text/plain'],
    ['form encoding', 'application/x-www-form-urlencoded'],
    ['a different case (the original matched the exact substring)', 'Application/JSON'],
  ])('by content type: %s', async (_name, type) => {
    const b = JSON.stringify(await body());
    const r = await raw(gw.url, 'POST', '/v1/authorize', b, type ? { 'content-type': type } : {});
    expectWireError(r, 400, 'Not a JSON.');
    await unchanged();
  });

  it.each([
    ['an empty body', ''],
    ['broken JSON', '{"nonce": "x",'],
    ['single quotes', "{'nonce': 'x'}"],
    ['a byte order mark', '\ufeff{}'],
  ])('by body: %s', async (_name, text) => {
    expectWireError(await post(text), 400, 'Not a JSON.');
    await unchanged();
  });

  it('by body: bytes that are not UTF-8', async () => {
    expectWireError(await post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), 400, 'Not a JSON.');
    await unchanged();
  });
});

describe('Invalid parameters.', () => {
  it.each(['nonce', 'login', 'appid', 'digest', 'quiz_type'])('when %s is missing', async (field) => {
    const b: Record<string, unknown> = await body();
    delete b[field];
    expectWireError(await post(b), 400, 'Invalid parameters.');
    await unchanged();
  });

  it.each([
    // A field of another JSON type is no refusal of its own (the original formatted it into its
    // accounts request): it goes through the checks in order and matches nothing there
    // (original-tests.test.ts goes through every field and type).
    ['nonce', null, 401, 'Unauthorized.'],
    ['nonce', true, 401, 'Unauthorized.'],
    ['nonce', ['x'], 401, 'Unauthorized.'],
    ['login', 42, 400, 'Authorization is invalid.'],
    ['login', null, 400, 'Authorization is invalid.'],
    ['appid', { id: APP_ID }, 400, 'Authorization is invalid.'],
    ['digest', 0, 400, 'Authorization is invalid.'],
    ['quiz_type', false, 400, 'Invalid parameters.'],
  ])('when %s is %j (not text): %s %s', async (field, value, status, description) => {
    expectWireError(await post(await body({ [field]: value })), status, description);
    await unchanged();
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"nonce"'],
    ['a number', '42'],
  ])('when the JSON is %s (the original crashed with a 500)', async (_name, text) => {
    expectWireError(await post(text), 400, 'Invalid parameters.');
    await unchanged();
  });

  it('when quiz_type is not one of the quizzes (checked after the credentials, as the original)', async () => {
    for (const quizType of ['quiz_x', '', 'QUIZ_B']) {
      expectWireError(await post(await body({ quiz_type: quizType })), 400, 'Invalid parameters.');
    }
    await unchanged();
  });
});

describe('Authorization is invalid.', () => {
  it('for an unknown application id', async () => {
    expectWireError(await post(await body({ appid: 'not-an-app' })), 400, 'Authorization is invalid.');
    expectWireError(await post(await body({ appid: '' })), 400, 'Authorization is invalid.');
    await unchanged();
  });

  it('accepts every id of QUIZ_APP_IDS', async () => {
    const r = await post(await body({ appid: OTHER_APP_ID }));
    expect(JSON.parse(r.text).status).toBe(200);
  });

  it('for an unknown login', async () => {
    const nonce = await getNonce(new Client(gw.url));
    expectWireError(
      await post({ ...(await body()), nonce, login: 'nobody', digest: digestFor(nonce, 'nobody', 'ann-pw') }),
      400,
      'Authorization is invalid.',
    );
    await unchanged();
  });

  it('for a wrong digest: wrong password, wrong login in the HA1, upper-case hex, empty', async () => {
    const nonce = await getNonce(new Client(gw.url));
    const digests = [digestFor(nonce, 'ann', 'wrong'), digestFor(nonce, 'Ann', 'ann-pw'), digestFor(nonce, 'ann', 'ann-pw').toUpperCase(), ''];
    for (const digest of digests) expectWireError(await post(await body({ digest })), 400, 'Authorization is invalid.');
    await unchanged();
  });
});

// The nonce is checked after the application id and before any account (the spec's commit asked
// its accounts service, which answered 401 for a nonce it had not issued).
describe('Unauthorized.', () => {
  it('for a replayed nonce, even after a success', async () => {
    const b = await body();
    expect(JSON.parse((await post(b)).text).status).toBe(200);
    before = await snapshot(gw.dbUrl, DOMAIN_TABLES);
    expectWireError(await post(b), 401, 'Unauthorized.');
    await unchanged();
  });

  it('for a nonce used by a failed attempt: one nonce, one try', async () => {
    const b = await body();
    expectWireError(await post({ ...b, digest: digestFor(b.nonce as string, 'ann', 'guess') }), 400, 'Authorization is invalid.');
    expectWireError(await post(b), 401, 'Unauthorized.');
    await unchanged();
  });

  it('for a nonce this server never issued (the original accepted any)', async () => {
    for (const nonce of ['cf7d8c2e4511132eb3acf7082e9147d9', '123', '', 'x'.repeat(5000)]) {
      expectWireError(await post(await body({ nonce, digest: digestFor(nonce, 'ann', 'ann-pw') })), 401, 'Unauthorized.');
    }
    expectWireError(await post(await body({ nonce: 123, digest: digestFor('123', 'ann', 'ann-pw') })), 401, 'Unauthorized.');
    await unchanged();
  });

  it('after the application id: an unknown app over an unknown nonce is Authorization is invalid.', async () => {
    expectWireError(await post(await body({ appid: 'not-an-app', nonce: 'cf7d8c2e4511132eb3acf7082e9147d9' })), 400, 'Authorization is invalid.');
    await unchanged();
  });
});

describe('Forbidden.', () => {
  it("when the account's access date, or its school's, is past (credentials right)", async () => {
    for (const [login, password] of [
      ['expired', 'old-pw'],
      ['bo', 'bo-pw'],
      ['closed', 'closed-pw'],
    ] as const) {
      const r = await quizLogin(new Client(gw.url), login, password);
      expectWireError(r, 403, 'Forbidden.');
      expect(r.headers.getSetCookie()).toEqual([]);
    }
  });
});

describe('outside the login itself', () => {
  it('a body over 16 KiB: 413 in the envelope, nothing read', async () => {
    const b = { ...(await body()), pad: 'x'.repeat(20_000) };
    expectWireError(await post(b), 413, '<p>The data value transmitted exceeds the capacity limit.</p>');
    await unchanged();
  });

  it.each([
    ['PUT', '/v1/authorize', 'GET, HEAD, POST'],
    ['DELETE', '/v1/authorize', 'GET, HEAD, POST'],
    ['PATCH', '/v1/authorize', 'GET, HEAD, POST'],
    ['POST', '/v1/authorize/status', 'GET, HEAD'],
    ['PUT', '/v1/authorize/status', 'GET, HEAD'],
  ])('%s %s: werkzeug 405 in the envelope, with Allow', async (method, path, allow) => {
    const r = await raw(gw.url, method, path, '{}', { 'content-type': 'application/json' });
    expectWireError(r, 405, `<p>The method ${method} is not allowed for the requested URL.</p>`);
    expect(r.headers.get('allow')).toBe(allow);
    await unchanged();
  });

  it('an unknown path: werkzeug 0.8 HTML, a real 404', async () => {
    for (const path of ['/v1/nothing', '/v1/authorize/', '/v1/quiz/1']) {
      const r = await raw(gw.url, 'GET', path);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html');
      expect(r.text).toContain('<title>404 Not Found</title>');
      expect(r.text).toContain('<p>The requested URL was not found on the server.</p>');
    }
  });

  it('OPTIONS on any path: the original CORS preflight', async () => {
    for (const path of ['/v1/authorize', '/v1/authorize/status', '/v1/anything']) {
      const r = await raw(gw.url, 'OPTIONS', path, undefined, { origin: 'http://quiz.example', 'access-control-request-method': 'POST' });
      expect(r.status).toBe(200);
      expect(r.text).toBe('');
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS');
      expect(r.headers.get('access-control-allow-headers')).toBe('content-type');
      expect(r.headers.get('access-control-max-age')).toBe('1728000');
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('HEAD is GET without a body', async () => {
    const r = await raw(gw.url, 'HEAD', '/v1/authorize/status');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
  });

  it('an error answer sets no cookie and the original error shape carries CORS too', async () => {
    const r = await post('nope');
    expect(r.headers.getSetCookie()).toEqual([]);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('content-type')).toBe(JSON_TYPE);
  });
});
