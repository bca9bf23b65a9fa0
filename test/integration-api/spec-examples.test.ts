import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway.js';
import {
  call,
  CONTENT_TYPE,
  expectRaw,
  getUser,
  insertCase,
  insertDataset,
  makeContest,
  post,
  rootToken,
  setScore,
  startIntegrationGateway,
  withDb,
} from './support.js';

// Spec 000's four requests, replayed as its schemas describe them, and each answer compared
// byte for byte with what the original server wrote (LEGACY-NOTES.md part B): the JSend
// wrapper, Python 2's json.dumps separators and ASCII escapes, its dict key order, floats as
// Python prints them.

let gw: TestGateway;
let token: string;
let contestId: number;
let taskIds: number[];

beforeAll(async () => {
  gw = await startIntegrationGateway();
  token = await rootToken(gw);
  const datasetId = await insertDataset(gw, 'egl-e1-A', 250);
  ({ contestId, taskIds } = await makeContest(gw, token, 'Spring round', [
    { name: 'routes', datasetId },
    { name: 'essay', scorePrecision: 2 },
  ]));
});

afterAll(() => gw?.stop());

describe('spec 000 requests, answered byte for byte as the original', () => {
  let userId: number;
  let participationId: number;

  it('POST /create_user with every field and contest_id: the user and the participation', async () => {
    const r = await post(gw, '/create_user', {
      first_name: 'Ada',
      last_name: 'Lovelace',
      username: 'ada',
      password: 'plaintext:analytical-engine',
      email: 'ada@example.org',
      timezone: 'Europe/London',
      preferred_languages: '["en"]',
      contest_id: contestId,
    });
    expectRaw(r, 200, /^\{"status": "success", "data": \{"user_id": \d+, "participation_id": \d+\}\}$/);
    ({ user_id: userId, participation_id: participationId } = JSON.parse(r.text).data);
    expect(participationId).toBeGreaterThan(0);
  });

  it('POST /create_user with the required fields only: user_id alone', async () => {
    const r = await post(gw, '/create_user', { username: 'grace', password: 'cobol-1959' });
    expectRaw(r, 200, /^\{"status": "success", "data": \{"user_id": \d+\}\}$/);
  });

  it('GET /get_user: the profile, keys in the original order', async () => {
    const r = await getUser(gw, 'username=ada');
    expectRaw(
      r,
      200,
      `{"status": "success", "data": {"username": "ada", "first_name": "Ada", "last_name": "Lovelace", "user_id": ${userId}, ` +
        `"timezone": "Europe/London", "preferred_languages": "[\\"en\\"]", "email": "ada@example.org"}}`,
    );
  });

  it('GET /get_user for a person created with the required fields: empty strings and "[]"', async () => {
    const r = await getUser(gw, 'username=grace');
    expectRaw(
      r,
      200,
      /^\{"status": "success", "data": \{"username": "grace", "first_name": "", "last_name": "", "user_id": \d+, "timezone": "", "preferred_languages": "\[\]", "email": ""\}\}$/,
    );
  });

  it('GET /get_user with contest_id: the contest score and every task, floats as Python prints them', async () => {
    await insertCase(gw, { username: 'ada', datasetId: (await datasetOf(taskIds[0]!))!, cost: 300 });
    await setScore(gw, token, taskIds[1]!, 'ada', 12.345);
    const r = await getUser(gw, `username=ada&contest_id=${contestId}`);
    // routes: 100 x 250 / 300 = 83.33.. -> round(.., 0) = 83.0; essay: round(12.345, 2) = 12.35.
    expectRaw(
      r,
      200,
      `{"status": "success", "data": {"username": "ada", "first_name": "Ada", "last_name": "Lovelace", "user_id": ${userId}, ` +
        `"contest": {"tasks": [{"score": 83.0, "task_id": ${taskIds[0]}}, {"score": 12.35, "task_id": ${taskIds[1]}}], ` +
        `"contest_id": ${contestId}, "score": 95.35}, ` +
        `"timezone": "Europe/London", "preferred_languages": "[\\"en\\"]", "email": "ada@example.org"}}`,
    );
  });

  it('POST /create_participation: participation_id', async () => {
    const other = (await makeContest(gw, token, 'Autumn round', [])).contestId;
    const r = await post(gw, '/create_participation', { username: 'grace', contest_id: other });
    expectRaw(r, 200, /^\{"status": "success", "data": \{"participation_id": \d+\}\}$/);
    const empty = await getUser(gw, `username=grace&contest_id=${other}`);
    expect(empty.text).toContain(`"contest": {"tasks": [], "contest_id": ${other}, "score": 0.0}`);
  });

  it('POST /create_session with contest_id, with null and without: a 32-hex session id', async () => {
    for (const body of [{ username: 'ada', contest_id: contestId }, { username: 'ada', contest_id: null }, { username: 'ada' }]) {
      const r = await post(gw, '/create_session', body);
      expectRaw(r, 200, /^\{"status": "success", "data": \{"session_id": "[0-9a-f]{32}"\}\}$/);
    }
  });

  it('an empty body is read as {} (the original replaced it), so the schema names the missing field', async () => {
    const r = await call(gw, 'POST', '/create_session', { body: '' });
    expect(r.status).toBe(400);
    expect(r.contentType).toBe(CONTENT_TYPE);
    expect(JSON.parse(r.text).data.split('\n')[0]).toBe("u'username' is a required property");
  });

  it('non-ASCII text is escaped as \\uXXXX (surrogate pairs past the BMP) and "</" as "<\\/"', async () => {
    await post(gw, '/create_user', { username: 'zoe', password: 'pw-zoe', first_name: 'Zoë', last_name: '</script> 😀', timezone: 'Asia/Tōkyō' });
    const r = await getUser(gw, 'username=zoe');
    expect(r.text).toContain('"first_name": "Zo\\u00eb", "last_name": "<\\/script> \\ud83d\\ude00"');
    expect(r.text).toContain('"timezone": "Asia/T\\u014dky\\u014d"');
    expect(/^[\x20-\x7e]*$/.test(r.text)).toBe(true);
  });

  it('query arguments as Tornado read them: the last value, stripped', async () => {
    const r = await getUser(gw, 'username=nobody&username=%20ada%09');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).data.username).toBe('ada');
  });
});

async function datasetOf(taskId: number): Promise<string | null> {
  return withDb(gw, async (db) => {
    const r = (await db.execute({ sql: 'SELECT dataset_id FROM tasks WHERE id = ?', args: [taskId] })).rows[0];
    return r ? (r.dataset_id as string | null) : null;
  });
}
