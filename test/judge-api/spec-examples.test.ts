import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { GOOD_SOLVER, zipBase64 } from '../helpers/zip.js';
import { addUser, expectShape, insertCase, JACKSON_DATE, OBJECT_ID, rootLogin, TYPE, withDb } from './support.js';

// Each spec 004 example request, replayed as written (ids replaced by real ones), and each
// response compared with the spec's example: same keys, same order, same JSON types.

const CASE_EXAMPLE = {
  id: '5bdacbaea6d72a1b48b63784',
  status: 3,
  submitTime: '2018-11-01T09:47:26.263+0000',
  judgeTime: '2018-11-01T09:47:25.511+0000',
  timedout: false,
  outOverflow: false,
  errOverflow: false,
  time: 12.249048709869385,
  exitcode: 0,
  valid: true,
  cost: 0,
  reason: null,
  datasetId: '5bd7ddbca6d72a2e908da716',
  userId: '5bd7d6d6a6d72a2e908da712',
  workerName: 'judge',
};

const TOP_EXAMPLE = {
  userName: 'root',
  datasetId: '5bd602c4044caa5464b356e0',
  submitTime: '2018-10-28T18:41:08.775+0000',
  time: 9.969951629638672,
  cost: 0,
};

let gw: TestGateway;
let root: Client;

beforeAll(async () => {
  gw = await startTestGateway();
  root = await rootLogin(gw);
});
afterAll(async () => {
  await gw?.stop();
});

describe('Login & Logout', () => {
  it('POST /api/login with the example body -> {uid, type}; GET /api/logout -> {uid}', async () => {
    const uid = await addUser(root, 'user', '123', TYPE.USER);
    const c = new Client(gw.url);
    const r = await c.post('/api/login', { username: 'user', password: '123' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expectShape(r.json, { uid: '5bd5fb0a044caa567486134c', type: 200 });
    expect(r.json).toEqual({ uid, type: 200 });
    expect(r.json.uid).toMatch(OBJECT_ID);
    expect(r.headers.getSetCookie().join('\n')).toMatch(/JSESSIONID=[0-9a-f]{32}/);

    const out = await c.get('/api/logout');
    expect(out.status).toBe(200);
    expectShape(out.json, { uid: '5bd5fb0a044caa567486134c' });
    expect(out.json).toEqual({ uid });
  });
});

describe('User', () => {
  it('GET /api/user/info -> {uid, username, type}', async () => {
    const id = await addUser(root, 'info-user', 'pw', TYPE.USER);
    const c = await judgeLogin(gw.url, 'info-user', 'pw');
    const r = await c.get('/api/user/info');
    expect(r.status).toBe(200);
    expectShape(r.json, { uid: '5bd5fb0a044caa567486134c', username: 'user', type: 200 });
    expect(r.json).toEqual({ uid: id, username: 'info-user', type: 200 });
  });

  it('POST /api/user/change/password with the example body -> {uid}; the new password logs in', async () => {
    const id = await addUser(root, 'pw-user', '111', TYPE.USER);
    const c = await judgeLogin(gw.url, 'pw-user', '111');
    const r = await c.post('/api/user/change/password', { old: '111', new: '123' });
    expect(r.status).toBe(200);
    expectShape(r.json, { uid: '5bd6ffd10a44aa129c547ff5' });
    expect(r.json).toEqual({ uid: id });
    expect((await new Client(gw.url).post('/api/login', { username: 'pw-user', password: '111' })).status).toBe(400);
    expect((await new Client(gw.url).post('/api/login', { username: 'pw-user', password: '123' })).status).toBe(200);
  });
});

describe('Admin', () => {
  it('POST /api/admin/user/add with the example body -> {id} of a WORKER', async () => {
    const r = await root.post('/api/admin/user/add', { username: 'user-300', password: 'pass', type: 300 });
    expect(r.status).toBe(200);
    expectShape(r.json, { id: 'Object id of the added user' });
    expect(r.json.id).toMatch(OBJECT_ID);
    const w = await judgeLogin(gw.url, 'user-300', 'pass');
    expect((await w.get('/api/user/info')).json).toEqual({ uid: r.json.id, username: 'user-300', type: 300 });
  });

  it('POST /api/admin/user/change/password with the example body -> text `done`', async () => {
    await addUser(root, 'target', 'old-pass', TYPE.USER);
    const body = { username: 'target', password: 'pass' };
    const r = await root.post('/api/admin/user/change/password', body);
    expect(r.status).toBe(200);
    expect(r.text).toBe('done');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    await judgeLogin(gw.url, 'target', 'pass');
  });

  it('POST /api/dataset/add with the example body -> {id}; GET /api/dataset/all lists it without data', async () => {
    const body = { name: 'small-1', time: 10, memory: 256, cpu: 1, data: 'NAME : small-1\nVERTICES : 12...' };
    const r = await root.post('/api/dataset/add', body);
    expect(r.status).toBe(200);
    expectShape(r.json, { id: 'Object id of the added dataset' });
    expect(r.json.id).toMatch(OBJECT_ID);

    const all = await root.get('/api/dataset/all');
    expect(all.status).toBe(200);
    expect(Object.keys(all.json)).toEqual(['datasets']);
    const example = { id: '5bd5fb0a044caa567486134d', name: 'gdb10', time: 10, memory: 256, cpu: 1 };
    for (const d of all.json.datasets) expectShape(d, example);
    expect(all.json.datasets).toContainEqual({ id: r.json.id, name: 'small-1', time: 10, memory: 256, cpu: 1 });
  });

  it('GET /api/system/addtestdata -> text `done`, sample users and datasets, and again `done`', async () => {
    const r = await root.get('/api/system/addtestdata');
    expect(r.status).toBe(200);
    expect(r.text).toBe('done');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const names = (await root.get('/api/dataset/all')).json.datasets.map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(['sample-small', 'sample-medium', 'sample-large']));
    await judgeLogin(gw.url, 'user1', 'user1');
    const again = await root.get('/api/system/addtestdata');
    expect(again.status).toBe(200);
    expect(again.text).toBe('done');
    const after = (await root.get('/api/dataset/all')).json.datasets.map((d: { name: string }) => d.name);
    expect(after).toEqual(names);
  });
});

describe('Judge', () => {
  let user: Client;
  let userId: string;
  let workerId: string;
  let datasetId: string;

  beforeAll(async () => {
    userId = await addUser(root, 'judge-user', 'pw', TYPE.USER);
    workerId = await addUser(root, 'judge', 'worker-pw', TYPE.WORKER);
    user = await judgeLogin(gw.url, 'judge-user', 'pw');
    datasetId = (await root.post('/api/dataset/add', { name: 'gdb10', time: 10, memory: 256, cpu: 1, data: 'x' })).json.id;
  });

  it('POST /api/judge/submit with a real zip -> {cid, remain}; GET /api/judge/remain -> {remain, total}', async () => {
    const before = await user.get('/api/judge/remain');
    expect(before.status).toBe(200);
    expectShape(before.json, { remain: 6, total: 10 });
    expect(before.json).toEqual({ remain: 10, total: 10 });

    const r = await user.post('/api/judge/submit', { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': GOOD_SOLVER }) });
    expect(r.status).toBe(200);
    expectShape(r.json, { cid: '5bd6a0170a44aa105c5927e9', remain: 6 });
    expect(r.json.cid).toMatch(OBJECT_ID);
    expect(r.json.remain).toBe(9);
    expect((await user.get('/api/judge/remain')).json).toEqual({ remain: 9, total: 10 });

    // The new case is WAITING: not judged yet, so judgeTime and workerName are null.
    const q = await user.get(`/api/judge/query?cid=${r.json.cid}`);
    expect(q.status).toBe(200);
    expectShape(q.json, CASE_EXAMPLE, ['judgeTime', 'workerName']);
    expect(q.json).toMatchObject({ id: r.json.cid, status: 0, judgeTime: null, workerName: null, datasetId, userId, valid: false });
    expect(q.json.submitTime).toMatch(JACKSON_DATE);
    expect(Math.abs(Date.parse(q.json.submitTime.replace('+0000', 'Z')) - Date.now())).toBeLessThan(60_000);
  });

  it('GET /api/judge/query?cid= of a judged case: every field of the example, typed as there', async () => {
    const submitTime = Date.UTC(2018, 9, 28, 18, 11, 26, 103);
    const cid = await withDb(gw, (db) =>
      insertCase(db, {
        userId,
        datasetId,
        status: 3,
        submitTime,
        judgeTime: submitTime + 10_543,
        judgeWorker: workerId,
        time: 10.630940437316895,
        valid: false,
        cost: 0,
      }),
    );
    const r = await user.get(`/api/judge/query?cid=${cid}`);
    expect(r.status).toBe(200);
    expectShape(r.json, CASE_EXAMPLE);
    expect(r.json).toEqual({
      id: cid,
      status: 3,
      submitTime: '2018-10-28T18:11:26.103+0000',
      judgeTime: '2018-10-28T18:11:36.646+0000',
      timedout: false,
      outOverflow: false,
      errOverflow: false,
      time: 10.630940437316895,
      exitcode: 0,
      valid: false,
      cost: 0,
      reason: null,
      datasetId,
      userId,
      workerName: 'judge',
    });
  });

  it('GET /api/judge/get?page=&size= -> {carpCases, total}', async () => {
    const r = await user.get('/api/judge/get?page=0&size=10');
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(['carpCases', 'total']);
    expect(r.json.total).toBe(2);
    expect(r.json.carpCases).toHaveLength(2);
    for (const c of r.json.carpCases) {
      expectShape(c, CASE_EXAMPLE, ['judgeTime', 'workerName']);
      expect(c.id).toMatch(OBJECT_ID);
      expect(c.datasetId).toBe(datasetId);
      expect(c.userId).toBe(userId);
      expect(c.submitTime).toMatch(JACKSON_DATE);
    }
  });

  it('GET /api/judge/top?did= and ?dataset= -> {carpCases: [{userName, datasetId, submitTime, time, cost}]}', async () => {
    const submitTime = Date.UTC(2018, 9, 28, 18, 41, 8, 775);
    await withDb(gw, (db) =>
      insertCase(db, {
        userId,
        datasetId,
        submitTime,
        judgeTime: submitTime + 1,
        judgeWorker: workerId,
        time: 9.969951629638672,
        valid: true,
        cost: 0,
      }),
    );
    const expected = {
      carpCases: [{ userName: 'judge-user', datasetId, submitTime: '2018-10-28T18:41:08.775+0000', time: 9.969951629638672, cost: 0 }],
    };
    for (const q of [`did=${datasetId}`, `dataset=${datasetId}`]) {
      const r = await user.get(`/api/judge/top?${q}`);
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(['carpCases']);
      expectShape(r.json.carpCases[0], TOP_EXAMPLE);
      expect(r.json).toEqual(expected);
    }
  });
});
