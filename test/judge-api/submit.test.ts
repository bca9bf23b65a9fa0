import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { GOOD_SOLVER, rawZip, toBase64, zipBase64, zipEntryNames } from '../helpers/zip.js';
import { addDataset, addUser, expectRejected, insertCase, listBlobs, makeActors, OBJECT_ID, TYPE, withDb, type Actors } from './support.js';

const P = '/api/judge/submit';
const LIMIT_MESSAGE = 'You have reached daily limits on submission!';

let gw: TestGateway;
let a: Actors;
let datasetId: string;
let n = 0;
/** A distinct, valid solver archive each call (so each stores a new blob). */
const solver = () => zipBase64({ 'CARP_solver.py': `# ${++n}\n${GOOD_SOLVER}` });

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
  datasetId = await addDataset(a.root, 'submit-set');
});
afterAll(async () => {
  await gw?.stop();
});

async function newUser(name: string): Promise<{ c: Client; id: string }> {
  const id = await addUser(a.root, name, 'pw', TYPE.USER);
  return { c: await judgeLogin(gw.url, name, 'pw'), id };
}

async function countCases(userId: string): Promise<number> {
  return withDb(gw, async (db) =>
    Number((await db.execute({ sql: 'SELECT COUNT(*) AS n FROM cases WHERE user_id = ?', args: [userId] })).rows[0]!.n),
  );
}

describe('a successful submission', () => {
  it('stores one WAITING case and the archive, and answers {cid, remain}', async () => {
    const { c, id } = await newUser('sub-ok');
    const blobs = await listBlobs(gw);
    const r = await c.post(P, { dataset: datasetId, data: solver() });
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.json)).toEqual(['cid', 'remain']);
    expect(r.json.cid).toMatch(OBJECT_ID);
    expect(r.json.remain).toBe(9);
    const after = await listBlobs(gw);
    expect(after.length).toBe(blobs.length + 1);
    const row = await withDb(gw, async (db) => (await db.execute({ sql: 'SELECT * FROM cases WHERE id = ?', args: [r.json.cid] })).rows[0]!);
    expect(row).toMatchObject({ user_id: id, dataset_id: datasetId, status: 0, valid: 0 });
    expect(after).toContain(String(row.archive_key));
  });

  it('CARP_solver.py inside a single top folder is accepted', async () => {
    const r = await a.root.post(P, {
      dataset: datasetId,
      data: zipBase64({ 'my-solver/CARP_solver.py': GOOD_SOLVER, 'my-solver/lib/util.py': 'x = 1\n' }),
    });
    expect(r.status, r.text).toBe(200);
    // A directory entry for the folder and a __MACOSX folder beside it are fine too.
    const zip = rawZip([
      { name: 'solver/' },
      { name: 'solver/CARP_solver.py', data: GOOD_SOLVER, method: 8 },
      { name: '__MACOSX/solver/._CARP_solver.py', data: 'junk' },
    ]);
    const r2 = await a.root.post(P, { dataset: datasetId, data: toBase64(zip) });
    expect(r2.status, r2.text).toBe(200);
  });

  it('the largest allowed archive (base64 of 87500 chars) is accepted', async () => {
    // Stored (not deflated) random-ish bytes so the size is predictable: 87500 base64 chars = 65625 bytes.
    const pad = (len: number) =>
      rawZip([
        { name: 'CARP_solver.py', data: GOOD_SOLVER },
        { name: 'pad.bin', data: new Uint8Array(len).fill(7) },
      ]);
    const overhead = pad(0).length;
    const zip = pad(65625 - overhead);
    const data = toBase64(zip);
    expect(data.length).toBe(87500);
    const r = await a.root.post(P, { dataset: datasetId, data });
    expect(r.status, r.text).toBe(200);
  });
});

describe('input errors store nothing', () => {
  it('not logged in, worker -> 403', async () => {
    await expectRejected(gw, () => new Client(gw.url).post(P, { dataset: datasetId, data: solver() }), 403, 'Not logged in!', P);
    await expectRejected(gw, () => a.worker.post(P, { dataset: datasetId, data: solver() }), 403, 'Permission denied!', P);
  });

  it('missing, empty, mistyped fields and unknown dataset', async () => {
    const cases: [unknown, number, string | RegExp][] = [
      [{ data: solver() }, 400, 'No dataset!'],
      [{ dataset: '', data: solver() }, 400, 'No dataset!'],
      [{ dataset: datasetId }, 400, 'No data!'],
      [{ dataset: datasetId, data: '' }, 400, 'No data!'],
      [{}, 400, 'No dataset!'],
      [{ dataset: '0123456789abcdef01234567', data: solver() }, 404, 'Invalid dataset!'],
      [{ dataset: 12, data: solver() }, 400, /./],
      [{ dataset: datasetId, data: 12 }, 400, /./],
      [{ dataset: datasetId, data: [solver()] }, 400, /./],
      [[{ dataset: datasetId, data: solver() }], 400, /./],
      ['{"dataset":', 400, /./],
    ];
    for (const [body, status, message] of cases) await expectRejected(gw, () => a.user.post(P, body), status, message, P);
  });
});

describe('archive checks store nothing', () => {
  const rejects = (data: string, message: string | RegExp) => expectRejected(gw, () => a.user.post(P, { dataset: datasetId, data }), 400, message, P);

  it('not base64 -> `Invalid base64 data!`', async () => {
    for (const data of ['not base64!', 'abc', 'ab=c', '@@@@', `${solver()}\n`, solver().replace(/.$/, '*')]) {
      await rejects(data, 'Invalid base64 data!');
    }
  });

  it('base64 longer than 87500 chars -> `Archive size exceeds 64KB!`', async () => {
    await rejects('A'.repeat(87504), 'Archive size exceeds 64KB!');
    const big = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: 'pad.bin', data: new Uint8Array(70_000).fill(1) },
    ]);
    await rejects(toBase64(big), 'Archive size exceeds 64KB!');
  });

  it('not a zip -> `Invalid zip archive!`', async () => {
    await rejects(Buffer.from('just some text, not a zip').toString('base64'), 'Invalid zip archive!');
    await rejects(Buffer.from(GOOD_SOLVER).toString('base64'), 'Invalid zip archive!');
    const zip = Buffer.from(zipSync({ 'CARP_solver.py': strToU8(GOOD_SOLVER) }));
    await rejects(zip.subarray(0, zip.length - 30).toString('base64'), 'Invalid zip archive!'); // truncated
    await rejects(Buffer.from(zip.subarray(30)).toString('base64'), 'Invalid zip archive!'); // headers gone
    const corrupt = rawZip([{ name: 'CARP_solver.py', data: GOOD_SOLVER.repeat(20), method: 8 }]);
    corrupt.fill(0xff, 50, 60); // garbage inside the deflate stream
    await rejects(toBase64(corrupt), /^(Invalid zip archive!|Zip archive unpacks too large!)$/);
  });

  it('zip without CARP_solver.py -> `No CARP_solver.py found!`', async () => {
    await rejects(zipBase64({ 'solver.py': GOOD_SOLVER }), 'No CARP_solver.py found!');
    await rejects(zipBase64({ 'carp_solver.py': GOOD_SOLVER }), 'No CARP_solver.py found!');
    await rejects(zipBase64({ 'a/b/CARP_solver.py': GOOD_SOLVER }), 'No CARP_solver.py found!');
    await rejects(zipBase64({ 'a/CARP_solver.py': GOOD_SOLVER, 'b/x.py': 'x' }), 'No CARP_solver.py found!');
    await rejects(toBase64(rawZip([{ name: 'CARP_solver.py/' }])), 'No CARP_solver.py found!');
    await rejects(toBase64(rawZip([])), 'No CARP_solver.py found!');
  });

  it('a `../evil` entry is rejected', async () => {
    const zip = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: '../evil', data: 'x' },
    ]);
    expect(zipEntryNames(zip)).toContain('../evil');
    expect(Object.keys(unzipSync(zip))).toContain('../evil');
    await rejects(toBase64(zip), 'Unsafe path in zip archive!');
    const nested = rawZip([
      { name: 'solver/CARP_solver.py', data: GOOD_SOLVER },
      { name: 'solver/../../evil', data: 'x' },
    ]);
    expect(zipEntryNames(nested)).toContain('solver/../../evil');
    await rejects(toBase64(nested), 'Unsafe path in zip archive!');
    const back = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: '..\\evil', data: 'x' },
    ]);
    await rejects(toBase64(back), 'Unsafe path in zip archive!');
  });

  it('an absolute `/etc/x` entry is rejected', async () => {
    const zip = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: '/etc/x', data: 'x' },
    ]);
    expect(zipEntryNames(zip)).toContain('/etc/x');
    await rejects(toBase64(zip), 'Unsafe path in zip archive!');
    const drive = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: 'C:/x', data: 'x' },
    ]);
    await rejects(toBase64(drive), 'Unsafe path in zip archive!');
  });

  it('a symlink entry is rejected (unix mode in the central directory, made by unix)', async () => {
    const zip = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER, unixMode: 0o100644 },
      { name: 'data', data: '/etc/passwd', unixMode: 0o120777 },
    ]);
    // The central directory record of `data` really says: made by unix, mode = symlink.
    const b = Buffer.from(zip);
    const cd = b.indexOf(
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02]), Buffer.alloc(42)]).subarray(0, 4),
      b.lastIndexOf(Buffer.from('CARP_solver.py')) + 14,
    );
    expect(b.toString('utf8', cd + 46, cd + 46 + b.readUInt16LE(cd + 28))).toBe('data');
    expect(b.readUInt16LE(cd + 4) >> 8).toBe(3);
    expect((b.readUInt32LE(cd + 38) >>> 16) & 0o170000).toBe(0o120000);
    await rejects(toBase64(zip), 'Unsafe path in zip archive!');
    // The solver itself as a link is rejected too.
    await rejects(toBase64(rawZip([{ name: 'CARP_solver.py', data: '/etc/passwd', unixMode: 0o120777 }])), 'Unsafe path in zip archive!');
  });

  it('a zip bomb (50 MB of zeros in ~50 KB) is rejected', async () => {
    const zeros = new Uint8Array(50 * 1024 * 1024);
    const bomb = zipSync({ 'CARP_solver.py': strToU8(GOOD_SOLVER), 'zeros.bin': [zeros, { level: 9 }] });
    const data = toBase64(bomb);
    expect(data.length).toBeLessThan(87500);
    await rejects(data, 'Zip archive unpacks too large!');
  });

  it('a zip bomb that lies about its sizes is stopped while inflating', async () => {
    const zeros = new Uint8Array(40 * 1024 * 1024);
    const zip = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: 'zeros.bin', data: zeros, method: 8, declaredSize: 10 },
    ]);
    const data = toBase64(zip);
    expect(data.length).toBeLessThan(87500);
    await rejects(data, 'Zip archive unpacks too large!');
  });

  it('too many entries are rejected', async () => {
    const files: Record<string, string> = { 'CARP_solver.py': GOOD_SOLVER };
    for (let i = 0; i < 300; i++) files[`f${i}`] = '';
    const data = zipBase64(files);
    expect(data.length).toBeLessThan(87500);
    await rejects(data, 'Zip archive unpacks too large!');
  });

  it('duplicate entry names and encrypted entries are rejected', async () => {
    await rejects(
      toBase64(
        rawZip([
          { name: 'CARP_solver.py', data: GOOD_SOLVER },
          { name: 'CARP_solver.py', data: 'evil' },
        ]),
      ),
      'Invalid zip archive!',
    );
  });
});

describe('the daily quota', () => {
  it("a USER's 11th submission within 24 h is refused, remain counting down 9..0", async () => {
    const { c, id } = await newUser('quota');
    expect((await c.get('/api/judge/remain')).json).toEqual({ remain: 10, total: 10 });
    for (let i = 9; i >= 0; i--) {
      const r = await c.post(P, { dataset: datasetId, data: solver() });
      expect(r.status, r.text).toBe(200);
      expect(r.json.remain).toBe(i);
      expect((await c.get('/api/judge/remain')).json).toEqual({ remain: i, total: 10 });
    }
    await expectRejected(gw, () => c.post(P, { dataset: datasetId, data: solver() }), 403, LIMIT_MESSAGE, P);
    // The quota is checked before the archive: a bad archive is refused for the quota too.
    await expectRejected(gw, () => c.post(P, { dataset: datasetId, data: 'junk' }), 403, LIMIT_MESSAGE, P);
    expect(await countCases(id)).toBe(10);
    expect((await c.get('/api/judge/remain')).json).toEqual({ remain: 0, total: 10 });
  });

  it('ROOT and ADMIN are not limited', async () => {
    for (const who of ['root', 'admin'] as const) {
      const before = await countCases(a.ids[who]);
      await withDb(gw, async (db) => {
        for (let i = 0; i < 10 - before; i++) await insertCase(db, { userId: a.ids[who], datasetId, status: 0, submitTime: Date.now() - 1000 });
      });
      const r = await a[who].post(P, { dataset: datasetId, data: solver() });
      expect(r.status, r.text).toBe(200);
      expect(await countCases(a.ids[who])).toBe(11);
    }
  });

  it('a case submitted 25 h ago does not count; one 23 h ago does', async () => {
    const { c, id } = await newUser('old-cases');
    await withDb(gw, async (db) => {
      for (let i = 0; i < 10; i++) await insertCase(db, { userId: id, datasetId, status: 3, submitTime: Date.now() - 25 * 3600_000 });
    });
    expect((await c.get('/api/judge/remain')).json).toEqual({ remain: 10, total: 10 });
    await withDb(gw, (db) => insertCase(db, { userId: id, datasetId, status: 3, submitTime: Date.now() - 23 * 3600_000 }));
    expect((await c.get('/api/judge/remain')).json).toEqual({ remain: 9, total: 10 });
    const r = await c.post(P, { dataset: datasetId, data: solver() });
    expect(r.status).toBe(200);
    expect(r.json.remain).toBe(8);
  });

  it('parallel submissions at remain=1 cannot exceed the limit, and the refused ones store nothing', async () => {
    const { c, id } = await newUser('racer');
    await withDb(gw, async (db) => {
      for (let i = 0; i < 9; i++) await insertCase(db, { userId: id, datasetId, status: 0, submitTime: Date.now() - 60_000 });
    });
    expect((await c.get('/api/judge/remain')).json.remain).toBe(1);
    const blobs = await listBlobs(gw);
    const rs = await Promise.all(Array.from({ length: 6 }, () => c.post(P, { dataset: datasetId, data: solver() })));
    const ok = rs.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.json.remain).toBe(0);
    for (const r of rs.filter((x) => x.status !== 200)) {
      expect(r.status, r.text).toBe(403);
      expect(r.json.message).toBe(LIMIT_MESSAGE);
    }
    expect(await countCases(id)).toBe(10);
    expect((await listBlobs(gw)).length).toBe(blobs.length + 1);
  });

  it('parallel submissions of several users all succeed (no lock errors)', async () => {
    const users = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((u) => newUser(u)));
    const rs = await Promise.all(users.flatMap(({ c }) => [1, 2, 3].map(() => c.post(P, { dataset: datasetId, data: solver() }))));
    for (const r of rs) expect(r.status, r.text).toBe(200);
    for (const { id } of users) expect(await countCases(id)).toBe(3);
  });
});
