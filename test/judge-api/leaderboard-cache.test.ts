// /api/judge/top is kept per dataset until some user's best case changes: the judge_best counter
// (migrations/0011) tells every node, with no bus, so a change made anywhere (another node, a
// direct write) shows on the next read, and a kept answer is byte for byte a fresh one.
import type { Gateway } from '../../src/node/gateway.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin, type Client } from '../helpers/http.js';
import { addDataset, addUser, insertCase, rootLogin, TYPE, withDb } from './support.js';

let gw: TestGateway;
let peer: Gateway;
let onA: Client;
let onB: Client;
let dataset: string;
const uid: Record<string, string> = {};
const base = Date.UTC(2025, 5, 1);

beforeAll(async () => {
  gw = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '0' });
  peer = await startPeerGateway(gw);
  const root = await rootLogin(gw);
  dataset = await addDataset(root, 'kept-board');
  for (const n of ['ann', 'bob']) uid[n] = await addUser(root, n, 'pw', TYPE.USER);
  onA = await judgeLogin(gw.url, 'ann', 'pw');
  onB = await judgeLogin(peer.url, 'bob', 'pw');
  await withDb(gw, async (db) => {
    await insertCase(db, { userId: uid.ann!, datasetId: dataset, cost: 300, time: 2, submitTime: base, judgeTime: base + 1, valid: true, status: 3 });
    await insertCase(db, {
      userId: uid.bob!,
      datasetId: dataset,
      cost: 310,
      time: 1,
      submitTime: base + 5,
      judgeTime: base + 6,
      valid: true,
      status: 3,
    });
  });
});
afterAll(async () => {
  await peer?.close();
  await gw?.stop();
});

const top = async (c: Client) => {
  const r = await c.get(`/api/judge/top?did=${dataset}`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/json');
  return r.text;
};
const names = (text: string) => (JSON.parse(text).carpCases as Array<{ userName: string; cost: number }>).map((e) => `${e.userName}:${e.cost}`);
const version = () =>
  withDb(gw, async (db) => {
    const rs = await db.execute({ sql: 'SELECT version FROM judge_best_versions WHERE dataset_id = ?', args: [dataset] });
    return Number(rs.rows[0]?.version ?? 0);
  });

describe('GET /api/judge/top kept until a best changes', () => {
  it('a kept answer is the fresh one, byte for byte, on both nodes', async () => {
    const first = await top(onA);
    expect(names(first)).toEqual(['ann:300', 'bob:310']);
    // Kept, not re-read: a name changed behind the gateway's back (no API renames a user) moves no
    // counter, so the kept answer still says the old one.
    await withDb(gw, (db) => db.execute({ sql: "UPDATE users SET username = 'ann2' WHERE id = ?", args: [uid.ann!] }));
    expect(await top(onA)).toBe(first);
    await withDb(gw, (db) => db.execute({ sql: "UPDATE users SET username = 'ann' WHERE id = ?", args: [uid.ann!] }));
    expect(await top(onB)).toBe(first); // the other node's first read
    expect(first).toBe(
      JSON.stringify({
        carpCases: [
          { userName: 'ann', datasetId: dataset, submitTime: new Date(base).toISOString().replace('Z', '+0000'), time: 2, cost: 300 },
          { userName: 'bob', datasetId: dataset, submitTime: new Date(base + 5).toISOString().replace('Z', '+0000'), time: 1, cost: 310 },
        ],
      }),
    );
  });

  it('a new best written anywhere shows on the next read of every node, with no bus between them', async () => {
    await top(onA);
    await top(onB);
    await withDb(gw, (db) =>
      insertCase(db, {
        userId: uid.bob!,
        datasetId: dataset,
        cost: 250,
        time: 3,
        submitTime: base + 9,
        judgeTime: base + 10,
        valid: true,
        status: 3,
      }),
    );
    expect(names(await top(onA))).toEqual(['bob:250', 'ann:300']);
    expect(names(await top(onB))).toEqual(['bob:250', 'ann:300']);
  });

  it('a case that is not and does not become a valid finished one moves no counter; a removed best does', async () => {
    const before = await version();
    const kept = await top(onA);
    const waiting = await withDb(gw, (db) =>
      insertCase(db, { userId: uid.ann!, datasetId: dataset, cost: 0, time: 0, submitTime: base + 20, judgeTime: null, valid: false, status: 0 }),
    );
    await withDb(gw, async (db) => {
      for (const status of [1, 2]) await db.execute({ sql: 'UPDATE cases SET status = ? WHERE id = ?', args: [status, waiting] });
    });
    expect(await version()).toBe(before);
    expect(await top(onA)).toBe(kept);

    await withDb(gw, (db) => db.execute({ sql: 'DELETE FROM cases WHERE user_id = ? AND cost = 250', args: [uid.bob!] }));
    expect(await version()).toBeGreaterThan(before);
    expect(names(await top(onB))).toEqual(['ann:300', 'bob:310']);
    expect(names(await top(onA))).toEqual(['ann:300', 'bob:310']);
  });

  it('an unknown dataset is still 404 Invalid dataset!', async () => {
    const r = await onA.get('/api/judge/top?did=0123456789abcdef01234567');
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('Invalid dataset!');
  });
});
