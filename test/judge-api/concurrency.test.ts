import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { GOOD_SOLVER, zipBase64 } from '../helpers/zip.js';
import { addDataset, makeActors, withDb, type Actors } from './support.js';

// Parallel requests that write: each gets its own answer, never a 500 or a lock error.

let gw: TestGateway;
let a: Actors;
let datasetId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
  datasetId = await addDataset(a.root, 'busy-set');
});
afterAll(async () => {
  await gw?.stop();
});

describe('parallel writes', () => {
  it('two parallel addtestdata calls both answer `done`, and the sample rows exist once', async () => {
    const rs = await Promise.all([a.root.get('/api/system/addtestdata'), a.root.get('/api/system/addtestdata')]);
    for (const r of rs) {
      expect(r.status, r.text).toBe(200);
      expect(r.text).toBe('done');
    }
    const names = (await a.root.get('/api/dataset/all')).json.datasets.map((d: { name: string }) => d.name);
    expect(names.filter((n: string) => n.startsWith('sample-'))).toHaveLength(3);
    const users = await withDb(gw, async (db) => (await db.execute("SELECT username FROM users WHERE username LIKE 'user_'")).rows.length);
    expect(users).toBe(3);
  });

  it('a burst of mixed writes: user adds, dataset adds, logins, submissions, password changes', async () => {
    const calls: Promise<{ status: number; text: string }>[] = [];
    for (let i = 0; i < 8; i++) {
      calls.push(a.root.post('/api/admin/user/add', { username: `burst-${i}`, password: 'pw', type: 200 }));
      calls.push(a.admin.post('/api/dataset/add', { name: `burst-${i}`, time: 1, memory: 64, cpu: 1, data: 'x' }));
      calls.push(new Client(gw.url).post('/api/login', { username: 'user', password: 'user-pass' }));
      calls.push(a.admin.post('/api/judge/submit', { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': `# ${i}\n${GOOD_SOLVER}` }) }));
      calls.push(a.user.post('/api/user/change/password', { old: 'user-pass', new: 'user-pass' }));
      calls.push(a.user.get('/api/judge/get?page=0&size=5'));
    }
    const rs = await Promise.all(calls);
    for (const r of rs) expect(r.status, r.text).toBe(200);
  });
});
