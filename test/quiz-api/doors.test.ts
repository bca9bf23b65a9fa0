import type { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import { gql, trpc } from '../helpers/doors.js';
import type { TestGateway } from '../helpers/gateway.js';
import { ROOT_PASSWORD } from '../helpers/gateway.js';
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

// REST, GraphQL and tRPC over the one quiz service: the same people, the same sessions, the
// same nonces, the same refusals (each door in its own form).

let gw: TestGateway;
let token: string;
let schoolId: number;
let otherSchoolId: number;

const LOGINS: Array<[string, string]> = [
  ['stud', 'stud-pw'],
  ['school', 'school-pw'],
  ['school-guest', 'guest'],
  ['root', ROOT_PASSWORD],
];

beforeAll(async () => {
  gw = await startQuizGateway();
  token = await rootToken(gw);
  schoolId = (await createSchool(gw, token, { name: 'Scuola', login: 'school', password: 'school-pw' })).id;
  otherSchoolId = (await createSchool(gw, token, { name: 'Other', login: 'other', password: 'other-pw' })).id;
  await createStudent(gw, token, { schoolId, name: 'Stu', surname: 'Dent', login: 'stud', password: 'stud-pw' });
});
afterAll(() => gw?.stop());

/** REST's user object from the typed view: the same fields the original sent for that type (the admin: id -1 as text, no name). */
function asWire(u: { id: number; type: string; name: string; surname: string | null; schoolId: number | null }) {
  if (u.type === 'admin') return { type: u.type, id: String(u.id) };
  if (u.type === 'school') return { type: u.type, id: u.id, name: u.name };
  return { surname: u.surname, name: u.name, id: u.id, type: u.type, school_id: u.schoolId };
}
const FIELDS = 'id type name surname schoolId userId username';
const QUIZ_SESSION = `sid user { ${FIELDS} }`;

async function trpcError(p: Promise<unknown>): Promise<TRPCClientError<any>> {
  try {
    await p;
  } catch (err) {
    return err as TRPCClientError<any>;
  }
  throw new Error('expected a tRPC error');
}

describe('the same person on every door', () => {
  it.each(LOGINS)('%s: REST status = GraphQL quizStatus = tRPC quiz.status (by QUIZSID cookie)', async (login, password) => {
    const c = new Client(gw.url);
    const r = await quizLogin(c, login, password);
    expect(r.json.status).toBe(200);
    const cookie = { cookie: `QUIZSID=${r.json.sid}` };
    const rest = (await c.get('/v1/authorize/status')).json.user;
    const g = (await gql(gw.url, `{ quizStatus { ${FIELDS} } }`, {}, cookie)).data.quizStatus;
    const t = await trpc(gw.url, cookie).quiz.status.query();
    expect(asWire(g)).toEqual(rest);
    expect(t).toEqual(g);
    expect(g.username).toBe(login);
  });

  it('by bearer token too (GraphQL login, no quiz session at all)', async () => {
    const c = new Client(gw.url);
    const rest = (await quizLogin(c, 'stud', 'stud-pw')).json.user;
    const jwt = (await gql(gw.url, 'mutation { login(username: "stud", password: "stud-pw") { token } }')).data.login.token;
    const auth = { authorization: `Bearer ${jwt}` };
    expect(asWire((await gql(gw.url, `{ quizStatus { ${FIELDS} } }`, {}, auth)).data.quizStatus)).toEqual(rest);
    expect(asWire(await trpc(gw.url, auth).quiz.status.query())).toEqual(rest);
  });

  it('GraphQL quizNonce + quizAuthorize make a session REST accepts (cookie and ?sid=)', async () => {
    const nonce = (await gql(gw.url, 'mutation { quizNonce }')).data.quizNonce;
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    const g = await gql(
      gw.url,
      `mutation($n: String!, $d: String!) { quizAuthorize(nonce: $n, appid: "${APP_ID}", quizType: "quiz_boat", login: "stud", digest: $d) { ${QUIZ_SESSION} } }`,
      {
        n: nonce,
        d: digestFor(nonce, 'stud', 'stud-pw'),
      },
    );
    const { sid, user } = g.data.quizAuthorize;
    const viaSid = await raw(gw.url, 'GET', `/v1/authorize/status?sid=${sid}`);
    expect(JSON.parse(viaSid.text)).toEqual({ status: 200, user: asWire(user) });
    const viaCookie = await raw(gw.url, 'GET', '/v1/authorize/status', undefined, { cookie: `QUIZSID=${sid}` });
    expect(viaCookie.text).toBe(viaSid.text);
  });

  it('tRPC quiz.authorize takes a nonce from REST; the nonce is then spent for every door', async () => {
    const nonce = await getNonce(new Client(gw.url));
    const input = { nonce, appid: APP_ID, quizType: 'quiz_bike', login: 'school', digest: digestFor(nonce, 'school', 'school-pw') };
    const t = await trpc(gw.url).quiz.authorize.mutate(input);
    expect(t.sid).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse((await raw(gw.url, 'GET', `/v1/authorize/status?sid=${t.sid}`)).text).user).toEqual(asWire(t.user));
    const e = await trpcError(trpc(gw.url).quiz.authorize.mutate(input));
    expect(e.data?.code).toBe('UNAUTHORIZED');
    expect(e.message).toBe('Unauthorized.');
    const g = await gql(
      gw.url,
      'mutation($n: String!, $d: String!) { quizAuthorize(nonce: $n, appid: "' +
        APP_ID +
        '", quizType: "quiz_bike", login: "school", digest: $d) { sid } }',
      { n: nonce, d: input.digest },
    );
    expect(g.errors?.[0]).toMatchObject({ message: 'Unauthorized.', extensions: { code: 'UNAUTHENTICATED' } });
    const body = { nonce, appid: APP_ID, quiz_type: 'quiz_bike', login: 'school', digest: input.digest };
    expectWireError(await raw(gw.url, 'POST', '/v1/authorize', JSON.stringify(body), { 'content-type': 'application/json' }), 401, 'Unauthorized.');
  });
});

describe("the same refusals, each in its door's form", () => {
  it('no session: REST 401 Unauthorized., GraphQL UNAUTHENTICATED, tRPC UNAUTHORIZED', async () => {
    expectWireError(await raw(gw.url, 'GET', '/v1/authorize/status'), 401, 'Unauthorized.');
    const g = await gql(gw.url, '{ quizStatus { id } }');
    expect(g.errors?.[0]).toMatchObject({ message: 'Unauthorized.', extensions: { code: 'UNAUTHENTICATED' } });
    const e = await trpcError(trpc(gw.url).quiz.status.query());
    expect(e.data?.code).toBe('UNAUTHORIZED');
    expect(e.message).toBe('Unauthorized.');
  });

  it('wrong digest, unknown app, wrong quiz type: the REST texts as GraphQL/tRPC messages, nothing stored', async () => {
    const before = await snapshot(gw.dbUrl, DOMAIN_TABLES);
    const cases: Array<[Record<string, string>, string]> = [
      [{ digest: 'x' }, 'Authorization is invalid.'],
      [{ appid: 'nope' }, 'Authorization is invalid.'],
      [{ quizType: 'quiz_x' }, 'Invalid parameters.'],
    ];
    for (const [over, message] of cases) {
      const n1 = (await gql(gw.url, 'mutation { quizNonce }')).data.quizNonce;
      const g = await gql(
        gw.url,
        'mutation($n: String!, $a: String!, $q: String!, $d: String!) { quizAuthorize(nonce: $n, appid: $a, quizType: $q, login: "stud", digest: $d) { sid } }',
        {
          n: n1,
          a: APP_ID,
          q: 'quiz_b',
          d: digestFor(n1, 'stud', 'stud-pw'),
          ...(over.digest ? { d: over.digest } : {}),
          ...(over.appid ? { a: over.appid } : {}),
          ...(over.quizType ? { q: over.quizType } : {}),
        },
      );
      expect(g.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });

      const n2 = await trpc(gw.url).quiz.nonce.mutate();
      const e = await trpcError(
        trpc(gw.url).quiz.authorize.mutate({
          nonce: n2,
          appid: APP_ID,
          quizType: 'quiz_b',
          login: 'stud',
          digest: digestFor(n2, 'stud', 'stud-pw'),
          ...over,
        }),
      );
      expect(e.data?.code).toBe('BAD_REQUEST');
      expect(e.message).toBe(message);

      const n3 = await getNonce(new Client(gw.url));
      const restOver = over.quizType ? { quiz_type: over.quizType } : over;
      const r = await raw(
        gw.url,
        'POST',
        '/v1/authorize',
        JSON.stringify({ nonce: n3, appid: APP_ID, quiz_type: 'quiz_b', login: 'stud', digest: digestFor(n3, 'stud', 'stud-pw'), ...restOver }),
        {
          'content-type': 'application/json',
        },
      );
      expectWireError(r, 400, message);
    }
    expect(await snapshot(gw.dbUrl, DOMAIN_TABLES)).toBe(before);
  });
});

describe('quiz accounts through GraphQL and tRPC', () => {
  it('a school adds students to itself only; students and anonymous callers add nothing', async () => {
    const schoolSid = (await quizLogin(new Client(gw.url), 'school', 'school-pw')).json.sid;
    const asSchool = trpc(gw.url, { cookie: `QUIZSID=${schoolSid}` });
    const s = await asSchool.quiz.createStudent.mutate({ schoolId, name: 'New', surname: 'Kid', login: 'newkid', password: 'kid-pw' });
    expect(s).toMatchObject({ type: 'student', schoolId, name: 'New', surname: 'Kid', username: 'newkid' });
    expect((await quizLogin(new Client(gw.url), 'newkid', 'kid-pw')).json.user).toEqual(asWire(s));

    const studSid = (await quizLogin(new Client(gw.url), 'stud', 'stud-pw')).json.sid;
    const auth = { authorization: `Bearer ${token}` };
    // A login whose guest login is taken: the school would be stored, then its guest refused.
    await trpc(gw.url, auth).auth.addUser.mutate({ username: 'zed-guest', password: 'pw', type: 200 });

    const before = await snapshot(gw.dbUrl, DOMAIN_TABLES);
    const other = await trpcError(
      asSchool.quiz.createStudent.mutate({ schoolId: otherSchoolId, name: 'A', surname: 'B', login: 'sneaky', password: 'pw' }),
    );
    expect(other.data?.code).toBe('FORBIDDEN');
    expect((await trpcError(asSchool.quiz.createSchool.mutate({ name: 'X', login: 'x', password: 'pw' }))).data?.code).toBe('FORBIDDEN');
    const asStudent = await gql(
      gw.url,
      'mutation { createQuizSchool(name: "X", login: "x", password: "pw") { id } }',
      {},
      { cookie: `QUIZSID=${studSid}` },
    );
    expect(asStudent.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await gql(gw.url, 'mutation { createQuizSchool(name: "X", login: "x", password: "pw") { id } }');
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Bad input and taken logins change nothing either.
    const bad: Array<[string, string]> = [
      ['mutation { createQuizSchool(name: "X", login: "x", password: "pw", accessUntil: "2024-02-30") { id } }', 'BAD_USER_INPUT'],
      ['mutation { createQuizSchool(name: "", login: "x", password: "pw") { id } }', 'BAD_USER_INPUT'],
      ['mutation { createQuizSchool(name: "X", login: "a-login-longer-than-26-chars", password: "pw") { id } }', 'BAD_USER_INPUT'],
      ['mutation { createQuizStudent(schoolId: 99999, name: "A", surname: "B", login: "ghost", password: "pw") { id } }', 'NOT_FOUND'],
      ['mutation { createQuizSchool(name: "X", login: "stud", password: "pw") { id } }', 'CONFLICT'],
      // The school and its guest are made together or not at all.
      ['mutation { createQuizSchool(name: "Zed", login: "zed", password: "pw") { id } }', 'CONFLICT'],
    ];
    for (const [q, code] of bad) expect((await gql(gw.url, q, {}, auth)).errors?.[0]?.extensions?.code, q).toBe(code);
    expect(await snapshot(gw.dbUrl, DOMAIN_TABLES)).toBe(before);
  });
});
