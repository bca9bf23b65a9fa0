import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  call,
  createUser,
  errorBody,
  expectRaw,
  failBody,
  getUser,
  KEY,
  makeContest,
  OLD_KEY,
  post,
  rootToken,
  startIntegrationGateway,
  TABLES,
  withDb,
} from './support.js';

// Every refusal in the original's words and statuses, and the proof that each stored nothing.

let gw: TestGateway;
let contestId: number;

const stored = () => snapshot(gw.dbUrl, TABLES);

/** Runs `request`, checks its answer, and that the database is as it was before. */
async function refused(request: () => ReturnType<typeof call>, status: number, body: string | RegExp) {
  const before = await stored();
  expectRaw(await request(), status, body);
  expect(await stored()).toBe(before);
}

// jsonschema's text for create_user's schema, as str(ValidationError) wrote it.
const CREATE_USER_SCHEMA = [
  "    {u'properties': {u'contest_id': {u'type': u'integer'},",
  "                     u'email': {u'type': u'string'},",
  "                     u'first_name': {u'type': u'string'},",
  "                     u'last_name': {u'type': u'string'},",
  "                     u'password': {u'type': u'string'},",
  "                     u'preferred_languages': {u'type': u'string'},",
  "                     u'timezone': {u'type': u'string'},",
  "                     u'username': {u'type': u'string'}},",
  "     u'required': [u'username', u'password'],",
  "     u'type': u'object'}",
].join('\n');

beforeAll(async () => {
  gw = await startIntegrationGateway();
  contestId = (await makeContest(gw, await rootToken(gw), 'Qualifier', [{ name: 'essay' }])).contestId;
  await createUser(gw, { username: 'taken', password: 'pw-taken', contest_id: contestId });
});

afterAll(() => gw?.stop());

describe('the API key, checked before anything else', () => {
  const requests = [
    (key: string | null) => getUser(gw, 'username=nobody&contest_id=abc', key),
    (key: string | null) => post(gw, '/create_user', '{not json', key),
    (key: string | null) => post(gw, '/create_participation', { username: 'taken', contest_id: contestId }, key),
    (key: string | null) => post(gw, '/create_session', { username: 'taken' }, key),
  ];

  it('missing, empty, wrong or differently cased: 403 "Invalid API key." and nothing stored', async () => {
    for (const request of requests) {
      for (const key of [null, '', 'wrong', KEY.toUpperCase(), KEY.slice(0, -1), `${OLD_KEY},${KEY}`]) {
        await refused(() => request(key), 403, failBody('Invalid API key.'));
      }
    }
  });

  it('during a rotation the old and the new key both work', async () => {
    for (const key of [OLD_KEY, KEY]) expect((await getUser(gw, 'username=taken', key)).status).toBe(200);
  });

  it('no key configured: the API is closed', async () => {
    const closed = await startTestGateway();
    try {
      const r = await call(closed, 'GET', '/get_user?username=root', { key: 'secret-api-key' });
      expectRaw(r, 403, failBody('Invalid API key.'));
    } finally {
      await closed.stop();
    }
  });

  it('a wrong method is 405 in the error envelope, before the key (Tornado)', async () => {
    for (const [method, path] of [
      ['POST', '/get_user'],
      ['PUT', '/get_user'],
      ['GET', '/create_user'],
      ['DELETE', '/create_participation'],
      ['GET', '/create_session'],
      ['OPTIONS', '/create_session'],
    ] as const) {
      await refused(() => call(gw, method, path, { key: null }), 405, errorBody(405, 'Method Not Allowed'));
    }
  });
});

describe('GET /get_user', () => {
  it('without username: 400 naming the argument', async () => {
    await refused(() => getUser(gw, 'contest_id=1'), 400, failBody('Query argument "username" required.'));
  });

  it('an unknown user, or an empty name: 404 "User not found."', async () => {
    await refused(() => getUser(gw, 'username=ghost'), 404, failBody('User not found.'));
    await refused(() => getUser(gw, 'username='), 404, failBody('User not found.'));
  });

  it('an unknown contest or no participation: 404 "Participation not found." (as the original)', async () => {
    await refused(() => getUser(gw, 'username=taken&contest_id=999'), 404, failBody('Participation not found.'));
    await refused(() => getUser(gw, `username=root&contest_id=${contestId}`), 404, failBody('Participation not found.'));
    await refused(() => getUser(gw, 'username=taken&contest_id=99999999999999999999999'), 404, failBody('Participation not found.'));
  });

  it('a contest_id that is no number: 400 (the original crashed with a 500)', async () => {
    for (const v of ['abc', '1.5', '', '0x10']) {
      await refused(() => getUser(gw, `username=taken&contest_id=${v}`), 400, failBody('Query argument "contest_id" must be an integer.'));
    }
  });
});

describe('POST /create_user', () => {
  it("missing fields: 400 with jsonschema's text, naming the field", async () => {
    await refused(
      () => post(gw, '/create_user', {}),
      400,
      failBody(`u'username' is a required property\n\nFailed validating u'required' in schema:\n${CREATE_USER_SCHEMA}\n\nOn instance:\n    {}`),
    );
    await refused(
      () => post(gw, '/create_user', { username: 'newbie' }),
      400,
      failBody(
        `u'password' is a required property\n\nFailed validating u'required' in schema:\n${CREATE_USER_SCHEMA}\n\nOn instance:\n    {u'username': u'newbie'}`,
      ),
    );
  });

  it('a mistyped field: 400 naming it, with its schema and value', async () => {
    await refused(
      () => post(gw, '/create_user', { username: 'newbie', password: 'pw', contest_id: '7' }),
      400,
      failBody(
        `u'7' is not of type u'integer'\n\nFailed validating u'type' in schema[u'properties'][u'contest_id']:\n    {u'type': u'integer'}\n\nOn instance[u'contest_id']:\n    u'7'`,
      ),
    );
    await refused(
      () => post(gw, '/create_user', { username: ['newbie'], password: 'pw' }),
      400,
      failBody(
        `[u'newbie'] is not of type u'string'\n\nFailed validating u'type' in schema[u'properties'][u'username']:\n    {u'type': u'string'}\n\nOn instance[u'username']:\n    [u'newbie']`,
      ),
    );
    for (const bad of [1.5, true, null, 1e400]) {
      const r = await post(
        gw,
        '/create_user',
        `{"username": "newbie", "password": "pw", "contest_id": ${bad === 1e400 ? '1e400' : JSON.stringify(bad)}}`,
      );
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text).data).toMatch(/ is not of type u'integer'\n/);
    }
  });

  it('a body that is no object: 400 "... is not of type u\'object\'"', async () => {
    await refused(
      () => post(gw, '/create_user', '[1, "a"]'),
      400,
      failBody(`[1, u'a'] is not of type u'object'\n\nFailed validating u'type' in schema:\n${CREATE_USER_SCHEMA}\n\nOn instance:\n    [1, u'a']`),
    );
  });

  it('bad JSON, bad UTF-8, a BOM, trailing garbage: 400 "Input is malformed; could not decode JSON object."', async () => {
    const malformed = failBody('Input is malformed; could not decode JSON object.');
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`; // the original died at Python's recursion limit (500)
    for (const body of ['{not json', '{"username": "a",}', '{"username": "a"} x', ' ', "{'username': 'a'}", '\ufeff{}', deep]) {
      await refused(() => post(gw, '/create_user', body), 400, malformed);
    }
    await refused(() => call(gw, 'POST', '/create_user', { body: new Uint8Array([0x7b, 0xff, 0x7d]) }), 400, malformed);
  });

  it('a huge body: 413 in the error envelope, nothing read into the database', async () => {
    const huge = JSON.stringify({ username: 'big', password: 'pw', first_name: 'x'.repeat(200_000) });
    await refused(() => post(gw, '/create_user', huge), 413, errorBody(413, 'Request Entity Too Large'));
  });

  it('an existing username: 409', async () => {
    await refused(() => post(gw, '/create_user', { username: 'taken', password: 'pw' }), 409, failBody('User with such username already exist.'));
  });

  it('an unknown contest: 404 "Contest not found." and no user (the original kept the user: fixed)', async () => {
    await refused(() => post(gw, '/create_user', { username: 'orphan', password: 'pw', contest_id: 4242 }), 404, failBody('Contest not found.'));
    expect((await getUser(gw, 'username=orphan')).status).toBe(404);
  });

  it('passwords that could never log in, and fields past their limits: 400', async () => {
    await refused(() => post(gw, '/create_user', { username: 'n1', password: '' }), 400, failBody('Field "password": the password is empty.'));
    await refused(
      () => post(gw, '/create_user', { username: 'n1', password: 'plaintext:' }),
      400,
      failBody('Field "password": the password is empty.'),
    );
    await refused(
      () => post(gw, '/create_user', { username: 'n1', password: 'bcrypt:$2b$10$tooShort' }),
      400,
      failBody('Field "password": not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04 to 14).'),
    );
    await refused(() => post(gw, '/create_user', { username: '', password: 'pw' }), 400, failBody('Field "username": the username is empty.'));
    await refused(
      () => post(gw, '/create_user', { username: 'u'.repeat(65), password: 'pw' }),
      400,
      failBody('Field "username" is too long (at most 64 characters).'),
    );
    await refused(
      () => post(gw, '/create_user', '{"username": "\\ud800", "password": "pw"}'),
      400,
      failBody('Field "username" is not valid Unicode text.'),
    );
  });

  it('a failure after the user is inserted rolls the user back with it (one transaction)', async () => {
    await withDb(gw, (db) =>
      db.execute("CREATE TRIGGER injected_failure BEFORE INSERT ON participations BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
    );
    try {
      await refused(
        () => post(gw, '/create_user', { username: 'half', password: 'pw', contest_id: contestId }),
        500,
        errorBody(500, 'Internal Server Error'),
      );
    } finally {
      await withDb(gw, (db) => db.execute('DROP TRIGGER injected_failure'));
    }
    expect((await getUser(gw, 'username=half')).status).toBe(404);
    expect((await post(gw, '/create_user', { username: 'half', password: 'pw', contest_id: contestId })).status).toBe(200);
  });
});

describe('POST /create_participation', () => {
  it('unknown user 404, unknown contest 404, existing participation 409, missing contest_id 400', async () => {
    await refused(() => post(gw, '/create_participation', { username: 'ghost', contest_id: contestId }), 404, failBody('User not found.'));
    await refused(() => post(gw, '/create_participation', { username: 'taken', contest_id: 4242 }), 404, failBody('Contest not found.'));
    await refused(
      () => post(gw, '/create_participation', { username: 'taken', contest_id: contestId }),
      409,
      failBody('Participation with such username and contest_id already exist.'),
    );
    const r = await post(gw, '/create_participation', { username: 'taken' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).data.split('\n')[0]).toBe("u'contest_id' is a required property");
  });

  it('a contest_id written as 3.0 is an integer (Draft 7), as the original accepted it', async () => {
    await createUser(gw, { username: 'floaty', password: 'pw' });
    const r = await post(gw, '/create_participation', `{"username": "floaty", "contest_id": ${contestId}.0}`);
    expectRaw(r, 200, /^\{"status": "success", "data": \{"participation_id": \d+\}\}$/);
  });
});

describe('POST /create_session', () => {
  it('unknown user: 404 and no session', async () => {
    await refused(() => post(gw, '/create_session', { username: 'ghost', contest_id: null }), 404, failBody('User not found.'));
  });

  it("a contest_id that is neither integer nor null: 400 with the first anyOf branch's text", async () => {
    await refused(
      () => post(gw, '/create_session', { username: 'taken', contest_id: 'x' }),
      400,
      failBody(`u'x' is not of type u'integer'\n\nFailed validating u'type' in schema[0]:\n    {u'type': u'integer'}\n\nOn instance:\n    u'x'`),
    );
  });
});
