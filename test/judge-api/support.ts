import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createClient, type Client as Db } from '@libsql/client';
import { expect } from 'vitest';
import { snapshot } from '../helpers/db.js';
import { ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin, type HttpResult } from '../helpers/http.js';

/** Spec 004's id and date shapes. */
export const OBJECT_ID = /^[0-9a-f]{24}$/;
export const JACKSON_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

export const TYPE = { ROOT: 0, ADMIN: 100, USER: 200, WORKER: 300 } as const;

const REASON: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
};

/** The Spring Boot error body, key for key and in order. */
export function expectSpringError(r: HttpResult, status: number, message: string | RegExp, path: string): void {
  const where = `${path} -> ${r.status} ${r.text}`;
  expect(r.status, where).toBe(status);
  expect(r.headers.get('content-type'), where).toMatch(/^application\/json/);
  expect(Object.keys(r.json ?? {}), where).toEqual(['timestamp', 'status', 'error', 'message', 'path']);
  expect(r.json.timestamp, where).toMatch(JACKSON_DATE);
  expect(r.json.status, where).toBe(status);
  expect(r.json.error, where).toBe(REASON[status]);
  if (typeof message === 'string') expect(r.json.message, where).toBe(message);
  else expect(r.json.message, where).toMatch(message);
  expect(r.json.path, where).toBe(path);
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * The same keys in the same order as the spec's example, each of the example's JSON type
 * (`nullable` keys may also be null, as a WAITING case's judgeTime is).
 */
export function expectShape(actual: unknown, example: Record<string, unknown>, nullable: string[] = []): void {
  expect(kind(actual)).toBe('object');
  const a = actual as Record<string, unknown>;
  expect(Object.keys(a)).toEqual(Object.keys(example));
  for (const [k, v] of Object.entries(example)) {
    if (nullable.includes(k) && a[k] === null) continue;
    if (v === null) {
      // The example shows null (reason): null or a string.
      expect(['null', 'string'], k).toContain(kind(a[k]));
    } else {
      expect(kind(a[k]), k).toBe(kind(v));
    }
  }
}

/** Every file under the gateway's blob directory, relative to it. */
export async function listBlobs(gw: TestGateway): Promise<string[]> {
  const base = join(gw.dir, 'blobs');
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(base, p));
    }
  }
  await walk(base);
  return out.sort();
}

/** Runs a call that must be refused, and proves it stored nothing: rows and blob files unchanged. */
export async function expectRejected(
  gw: TestGateway,
  call: () => Promise<HttpResult>,
  status: number,
  message: string | RegExp,
  path: string,
): Promise<HttpResult> {
  const before = await snapshot(gw.dbUrl);
  const blobsBefore = await listBlobs(gw);
  const r = await call();
  expectSpringError(r, status, message, path);
  expect(await snapshot(gw.dbUrl)).toBe(before);
  expect(await listBlobs(gw)).toEqual(blobsBefore);
  return r;
}

/** A second connection to the gateway's libSQL file, for arranging rows directly. */
export async function withDb<T>(gw: TestGateway, work: (db: Db) => Promise<T>): Promise<T> {
  const db = createClient({ url: gw.dbUrl, intMode: 'number' });
  try {
    await db.execute('PRAGMA busy_timeout = 5000');
    return await work(db);
  } finally {
    db.close();
  }
}

export const rootLogin = (gw: TestGateway) => judgeLogin(gw.url, 'root', ROOT_PASSWORD);

/** Creates a user through the API as `by` (ROOT by default must be the caller's client). */
export async function addUser(by: Client, username: string, password: string, type: number): Promise<string> {
  const r = await by.post('/api/admin/user/add', { username, password, type });
  if (r.status !== 200) throw new Error(`add user ${username}: ${r.status} ${r.text}`);
  return r.json.id as string;
}

const SAMPLE_DATA = 'NAME : small-1\nVERTICES : 12...';

export async function addDataset(by: Client, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await by.post('/api/dataset/add', { name, time: 10, memory: 256, cpu: 1, data: SAMPLE_DATA, ...extra });
  if (r.status !== 200) throw new Error(`add dataset ${name}: ${r.status} ${r.text}`);
  return r.json.id as string;
}

export interface Actors {
  root: Client;
  admin: Client;
  user: Client;
  worker: Client;
  anon: Client;
  ids: { root: string; admin: string; user: string; worker: string };
}

/** One signed-in client per judge type (names get `prefix` so a file can make several sets), plus an anonymous one. */
export async function makeActors(gw: TestGateway, prefix = ''): Promise<Actors> {
  const root = await rootLogin(gw);
  const ids = {
    root: (await root.get('/api/user/info')).json.uid as string,
    admin: await addUser(root, `${prefix}admin`, 'admin-pass', TYPE.ADMIN),
    user: await addUser(root, `${prefix}user`, 'user-pass', TYPE.USER),
    worker: await addUser(root, `${prefix}worker`, 'worker-pass', TYPE.WORKER),
  };
  const [admin, user, worker] = await Promise.all([
    judgeLogin(gw.url, `${prefix}admin`, 'admin-pass'),
    judgeLogin(gw.url, `${prefix}user`, 'user-pass'),
    judgeLogin(gw.url, `${prefix}worker`, 'worker-pass'),
  ]);
  return { root, admin, user, worker, anon: new Client(gw.url), ids };
}

export interface CaseRow {
  userId: string;
  datasetId: string;
  status?: number;
  submitTime: number;
  judgeTime?: number | null;
  judgeWorker?: string | null;
  time?: number;
  valid?: boolean;
  cost?: number;
  reason?: string | null;
  exitcode?: number;
}

let seq = 0;
/** Inserts a case row directly (a finished, judged case the gateway alone could not produce). */
export async function insertCase(db: Db, c: CaseRow): Promise<string> {
  const id =
    Math.floor(c.submitTime / 1000)
      .toString(16)
      .padStart(8, '0') + (++seq).toString(16).padStart(16, '0');
  await db.execute({
    sql: `INSERT INTO cases (id, user_id, dataset_id, archive_key, status, submit_time, judge_time, judge_worker,
            time, exitcode, valid, cost, reason)
          VALUES (?, ?, ?, 'archives/none.zip', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      id,
      c.userId,
      c.datasetId,
      c.status ?? 3,
      c.submitTime,
      c.judgeTime ?? null,
      c.judgeWorker ?? null,
      c.time ?? 0,
      c.exitcode ?? 0,
      c.valid ? 1 : 0,
      c.cost ?? 0,
      c.reason ?? null,
    ],
  });
  return id;
}
