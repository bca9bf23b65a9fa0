import { createClient, type Client as Db } from '@libsql/client';
import { expect } from 'vitest';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Two keys, as during a rotation: both open the API. */
export const OLD_KEY = 'old-integration-key-2019';
export const KEY = 'new-integration-key-2024';

export const startIntegrationGateway = (env: Record<string, string> = {}) => startTestGateway({ INTEGRATION_API_KEY: `${OLD_KEY}, ${KEY}`, ...env });

/** Every table the integration API writes, to prove a refused call stored nothing. */
export const TABLES = ['users', 'integration_users', 'contests', 'tasks', 'participations', 'task_scores', 'sessions', 'contest_sessions'];

export const CONTENT_TYPE = 'application/json; charset=UTF-8';

export interface Raw {
  status: number;
  contentType: string | null;
  text: string;
  headers: Headers;
}

/** One request as a legacy client sends it; `key: null` leaves the API key header out. */
export async function call(
  gw: TestGateway,
  method: string,
  path: string,
  options: { body?: string | Uint8Array; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Raw> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers['x-integration-api-key'] = key;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(gw.url + path, { method, headers, body: options.body as BodyInit | undefined });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text(), headers: res.headers };
}

export const post = (gw: TestGateway, path: string, body: unknown, key?: string | null) =>
  call(gw, 'POST', path, { body: typeof body === 'string' ? body : JSON.stringify(body), key });

export const getUser = (gw: TestGateway, query: string, key?: string | null) => call(gw, 'GET', `/get_user?${query}`, { key });

/** The original's JSend fail body for an ASCII message (JSON.stringify writes ASCII text as Python 2 did). */
export const failBody = (message: string) => `{"status": "fail", "data": ${JSON.stringify(message)}}`;
export const errorBody = (status: number, reason: string) => `{"status": "error", "message": "${reason}", "code": ${status}}`;

export function expectRaw(r: Raw, status: number, body: string | RegExp): void {
  const where = `${r.status} ${r.text}`;
  expect(r.status, where).toBe(status);
  expect(r.contentType, where).toBe(CONTENT_TYPE);
  if (typeof body === 'string') expect(r.text).toBe(body);
  else expect(r.text).toMatch(body);
}

export async function withDb<T>(gw: TestGateway, work: (db: Db) => Promise<T>): Promise<T> {
  const db = createClient({ url: gw.dbUrl, intMode: 'number' });
  try {
    await db.execute('PRAGMA busy_timeout = 5000');
    return await work(db);
  } finally {
    db.close();
  }
}

const hexIdOf = (gw: TestGateway, username: string) =>
  withDb(gw, async (db) => String((await db.execute({ sql: 'SELECT id FROM users WHERE username = ?', args: [username] })).rows[0]!.id));

let datasetSeq = 0;
/** A CARP dataset row, as the judge API would store it (the instance text does not matter here). */
export async function insertDataset(gw: TestGateway, name: string, bestKnownCost: number | null): Promise<string> {
  const id = `ddddddd${(++datasetSeq).toString(16).padStart(17, '0')}`;
  await withDb(gw, (db) =>
    db.execute({
      sql: `INSERT INTO datasets (id, name, time, memory, cpu, data, best_known_cost, created_at) VALUES (?, ?, 10, 256, 1, 'NAME : x', ?, ?)`,
      args: [id, name, bestKnownCost, Date.now()],
    }),
  );
  return id;
}

let caseSeq = 0;
/** A judge case written as the judge would leave it (FINISHED = 3 unless told). */
export async function insertCase(
  gw: TestGateway,
  c: { username: string; datasetId: string; cost: number; valid?: boolean; status?: number; time?: number },
): Promise<void> {
  const userId = await hexIdOf(gw, c.username);
  const id = `ccccccc${(++caseSeq).toString(16).padStart(17, '0')}`;
  await withDb(gw, (db) =>
    db.execute({
      sql: `INSERT INTO cases (id, user_id, dataset_id, archive_key, status, submit_time, judge_time, time, valid, cost)
            VALUES (?, ?, ?, 'archives/none.zip', ?, ?, ?, ?, ?, ?)`,
      args: [id, userId, c.datasetId, c.status ?? 3, Date.now(), Date.now(), c.time ?? 1, c.valid === false ? 0 : 1, c.cost],
    }),
  );
}

/** A bearer token for GraphQL and tRPC. */
export async function tokenFor(gw: TestGateway, username: string, password: string): Promise<string> {
  const r = await gql(gw.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: password });
  if (!r.data?.login) throw new Error(`login ${username}: ${JSON.stringify(r.errors)}`);
  return r.data.login.token as string;
}

export const rootToken = (gw: TestGateway) => tokenFor(gw, 'root', ROOT_PASSWORD);

/** GraphQL as a bearer, failing loudly on errors. */
export async function gqlOk(gw: TestGateway, token: string, query: string, variables: Record<string, unknown> = {}) {
  const r = await gql(gw.url, query, variables, { authorization: `Bearer ${token}` });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
}

/** A contest with tasks, made through GraphQL as an admin; returns the ids. */
export async function makeContest(
  gw: TestGateway,
  token: string,
  name: string,
  tasks: { name: string; datasetId?: string; scorePrecision?: number }[],
): Promise<{ contestId: number; taskIds: number[] }> {
  const contestId = (await gqlOk(gw, token, 'mutation($n: String!) { createContest(name: $n) { id } }', { n: name })).createContest.id;
  const taskIds: number[] = [];
  for (const t of tasks) {
    const d = await gqlOk(
      gw,
      token,
      'mutation($c: Int!, $n: String!, $d: ID, $p: Int) { createTask(contestId: $c, name: $n, datasetId: $d, scorePrecision: $p) { id } }',
      { c: contestId, n: t.name, d: t.datasetId ?? null, p: t.scorePrecision ?? null },
    );
    taskIds.push(d.createTask.id);
  }
  return { contestId, taskIds };
}

export async function setScore(gw: TestGateway, token: string, taskId: number, username: string, score: number) {
  return gqlOk(gw, token, 'mutation($t: Int!, $u: String!, $s: Float!) { setTaskScore(taskId: $t, username: $u, score: $s) { score } }', {
    t: taskId,
    u: username,
    s: score,
  });
}

/** Creates a person through the integration API; returns the integer user_id. */
export async function createUser(gw: TestGateway, body: Record<string, unknown>): Promise<number> {
  const r = await post(gw, '/create_user', body);
  if (r.status !== 200) throw new Error(`create_user: ${r.status} ${r.text}`);
  return JSON.parse(r.text).data.user_id as number;
}
