import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { addDataset, addUser, expectRejected, insertCase, makeActors, TYPE, withDb, type Actors } from './support.js';

let gw: TestGateway;
let a: Actors;

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
});
afterAll(async () => {
  await gw?.stop();
});

const jackson = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

describe('GET /api/judge/top: the leaderboard', () => {
  const base = Date.UTC(2024, 0, 1, 12, 0, 0, 0);
  let d1: string;
  let d2: string;
  let empty: string;
  const uid: Record<string, string> = {};

  beforeAll(async () => {
    d1 = await addDataset(a.root, 'board-1');
    d2 = await addDataset(a.root, 'board-2');
    empty = await addDataset(a.root, 'board-empty');
    for (const n of ['u1', 'u2', 'u3', 'u4', 'u5']) uid[n] = await addUser(a.root, n, 'pw', TYPE.USER);
    await withDb(gw, async (db) => {
      const c = (userId: string, datasetId: string, cost: number, time: number, at: number, extra: { valid?: boolean; status?: number } = {}) =>
        insertCase(db, {
          userId,
          datasetId,
          cost,
          time,
          submitTime: base + at,
          judgeTime: base + at + 1,
          valid: extra.valid ?? true,
          status: extra.status ?? 3,
        });
      // u1: two equal best cases (the earlier one counts), a cheaper invalid one, a cheaper unfinished one, a cheaper errored one.
      await c(uid.u1!, d1, 100, 5.5, 10_000);
      await c(uid.u1!, d1, 100, 5.5, 5_000);
      await c(uid.u1!, d1, 100, 7.25, 1_000);
      await c(uid.u1!, d1, 90, 1, 2_000, { valid: false });
      await c(uid.u1!, d1, 50, 1, 3_000, { status: 2 });
      await c(uid.u1!, d1, 40, 1, 3_500, { status: 4 });
      await c(uid.u1!, d1, 30, 1, 3_600, { status: 0 });
      // u2: ties u1 on cost and time, submitted earlier.
      await c(uid.u2!, d1, 100, 5.5, 1_000);
      await c(uid.u2!, d1, 120, 0.5, 500);
      // u3: same cost, less time, submitted last.
      await c(uid.u3!, d1, 100, 3.125, 100_000);
      // u4: the cheapest, slowest.
      await c(uid.u4!, d1, 80, 9.75, 200_000);
      await c(uid.u4!, d1, 80, 9.75, 190_000, { valid: false });
      // u5: only invalid and unfinished cases.
      await c(uid.u5!, d1, 1, 1, 1, { valid: false });
      await c(uid.u5!, d1, 1, 1, 2, { status: 1 });
      // Another dataset.
      await c(a.ids.root, d2, 1, 2, 50);
      await c(uid.u2!, d2, 1, 2, 40);
      await c(uid.u3!, d2, 0, 20, 60);
    });
  });

  it('each user once with the best valid finished case; cost asc, time asc, submitTime asc', async () => {
    const r = await a.user.get(`/api/judge/top?did=${d1}`);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      carpCases: [
        { userName: 'u4', datasetId: d1, submitTime: jackson(base + 200_000), time: 9.75, cost: 80 },
        { userName: 'u3', datasetId: d1, submitTime: jackson(base + 100_000), time: 3.125, cost: 100 },
        { userName: 'u2', datasetId: d1, submitTime: jackson(base + 1_000), time: 5.5, cost: 100 },
        { userName: 'u1', datasetId: d1, submitTime: jackson(base + 5_000), time: 5.5, cost: 100 },
      ],
    });
  });

  it('per dataset; `dataset=` is read as the original did; an empty board is []', async () => {
    const expected = {
      carpCases: [
        { userName: 'u3', datasetId: d2, submitTime: jackson(base + 60), time: 20, cost: 0 },
        { userName: 'u2', datasetId: d2, submitTime: jackson(base + 40), time: 2, cost: 1 },
        { userName: 'root', datasetId: d2, submitTime: jackson(base + 50), time: 2, cost: 1 },
      ],
    };
    expect((await a.admin.get(`/api/judge/top?did=${d2}`)).json).toEqual(expected);
    expect((await a.root.get(`/api/judge/top?dataset=${d2}`)).json).toEqual(expected);
    const e = await a.user.get(`/api/judge/top?did=${empty}`);
    expect(e.status).toBe(200);
    expect(e.json).toEqual({ carpCases: [] });
  });

  it('errors: no dataset 400, unknown dataset 404, not logged in / worker 403', async () => {
    const P = '/api/judge/top';
    await expectRejected(gw, () => a.user.get(P), 400, 'No dataset!', P);
    await expectRejected(gw, () => a.user.get(`${P}?did=`), 400, 'No dataset!', P);
    await expectRejected(gw, () => a.user.get(`${P}?did=0123456789abcdef01234567`), 404, 'Invalid dataset!', P);
    await expectRejected(gw, () => a.user.get(`${P}?dataset=nope`), 404, 'Invalid dataset!', P);
    await expectRejected(gw, () => a.user.get(`${P}?did=${encodeURIComponent("' OR 1=1 --")}`), 404, 'Invalid dataset!', P);
    await expectRejected(gw, () => new Client(gw.url).get(`${P}?did=${d1}`), 403, 'Not logged in!', P);
    await expectRejected(gw, () => a.worker.get(`${P}?did=${d1}`), 403, 'Permission denied!', P);
  });
});

describe('GET /api/judge/get: paging', () => {
  const P = '/api/judge/get';
  let pager: Client;
  let ids: string[] = [];

  beforeAll(async () => {
    const pid = await addUser(a.root, 'pager', 'pw', TYPE.USER);
    pager = await judgeLogin(gw.url, 'pager', 'pw');
    const d = await addDataset(a.root, 'paging');
    const now = Date.now();
    await withDb(gw, async (db) => {
      // Inserted out of order; five of the pager's, and others' cases that must not show.
      for (const ago of [30, 10, 50, 20, 40]) ids.push(await insertCase(db, { userId: pid, datasetId: d, status: 0, submitTime: now - ago * 1000 }));
      await insertCase(db, { userId: a.ids.user, datasetId: d, status: 0, submitTime: now });
      await insertCase(db, { userId: a.ids.root, datasetId: d, status: 0, submitTime: now - 5000 });
    });
    // Newest first: 10, 20, 30, 40, 50 seconds ago.
    ids = [ids[1]!, ids[3]!, ids[0]!, ids[4]!, ids[2]!];
  });

  it('pages of 2 by submitTime desc, with the total of all pages', async () => {
    const page = async (p: number) => {
      const r = await pager.get(`${P}?page=${p}&size=2`);
      expect(r.status, r.text).toBe(200);
      expect(r.json.total).toBe(5);
      return r.json.carpCases.map((c: { id: string }) => c.id);
    };
    expect(await page(0)).toEqual(ids.slice(0, 2));
    expect(await page(1)).toEqual(ids.slice(2, 4));
    expect(await page(2)).toEqual(ids.slice(4));
    expect(await page(3)).toEqual([]);
    const all = await pager.get(`${P}?page=0&size=100`);
    expect(all.json.carpCases.map((c: { id: string }) => c.id)).toEqual(ids);
    const times = all.json.carpCases.map((c: { submitTime: string }) => Date.parse(c.submitTime.replace('+0000', 'Z')));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('defaults: page 0', async () => {
    const r = await pager.get(`${P}?size=3`);
    expect(r.status).toBe(200);
    expect(r.json.carpCases.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 3));
  });

  it('a user with no cases gets an empty page and total 0', async () => {
    const r = await a.admin.get(`${P}?page=0&size=2`);
    expect(r.json).toEqual({ carpCases: [], total: 0 });
  });

  it.each([
    ['page=-1&size=2', 'page'],
    ['page=abc&size=2', 'page'],
    ['page=1.5&size=2', 'page'],
    ['page=1e2&size=2', 'page'],
    ['page=0x1&size=2', 'page'],
    ['page=99999999999&size=2', 'page'],
    ['page=0&size=0', 'size'],
    ['page=0&size=-2', 'size'],
    ['page=0&size=101', 'size'],
    ['page=0&size=two', 'size'],
    ['page=0&size=2.0', 'size'],
  ])('bad paging %s -> 400', async (q) => {
    await expectRejected(gw, () => pager.get(`${P}?${q}`), 400, /^Invalid (value for parameter '(page|size)'|page|size)!/, P);
  });

  it('not logged in -> 403; worker -> 403', async () => {
    await expectRejected(gw, () => new Client(gw.url).get(`${P}?page=0&size=2`), 403, 'Not logged in!', P);
    await expectRejected(gw, () => a.worker.get(`${P}?page=0&size=2`), 403, 'Permission denied!', P);
  });
});

describe('GET /api/judge/query', () => {
  const P = '/api/judge/query';
  let mine: string;
  let theirs: string;

  beforeAll(async () => {
    const d = await addDataset(a.root, 'query-set');
    await withDb(gw, async (db) => {
      mine = await insertCase(db, { userId: a.ids.user, datasetId: d, status: 0, submitTime: Date.now() });
      theirs = await insertCase(db, { userId: a.ids.admin, datasetId: d, status: 3, submitTime: Date.now(), valid: true });
    });
  });

  it('the owner reads the case', async () => {
    const r = await a.user.get(`${P}?cid=${mine}`);
    expect(r.status).toBe(200);
    expect(r.json.id).toBe(mine);
  });

  it("another user's case -> 403 `You don't own this case!`, for ROOT too", async () => {
    await expectRejected(gw, () => a.user.get(`${P}?cid=${theirs}`), 403, "You don't own this case!", P);
    await expectRejected(gw, () => a.root.get(`${P}?cid=${theirs}`), 403, "You don't own this case!", P);
    await expectRejected(gw, () => a.admin.get(`${P}?cid=${mine}`), 403, "You don't own this case!", P);
  });

  it('no cid 400 `No case id!`; unknown cid 404 `Invalid case id!`', async () => {
    await expectRejected(gw, () => a.user.get(P), 400, 'No case id!', P);
    await expectRejected(gw, () => a.user.get(`${P}?cid=`), 400, 'No case id!', P);
    await expectRejected(gw, () => a.user.get(`${P}?cid=0123456789abcdef01234567`), 404, 'Invalid case id!', P);
    await expectRejected(gw, () => a.user.get(`${P}?cid=${'x'.repeat(5000)}`), 404, 'Invalid case id!', P);
  });

  it('the session comes first: anonymous 403 even for an unknown id; worker 403', async () => {
    await expectRejected(gw, () => new Client(gw.url).get(`${P}?cid=nope`), 403, 'Not logged in!', P);
    await expectRejected(gw, () => a.worker.get(`${P}?cid=${mine}`), 403, 'Permission denied!', P);
  });
});
