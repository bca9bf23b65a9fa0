// The original Python judge worker's websocket protocol (github imxieyi/carp_judge_worker),
// played by a scripted `ws` client against a real gateway, sharing the queue with tRPC workers.
import { createClient } from '@libsql/client';
import { strFromU8 } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { zipBase64 } from '../helpers/zip.js';
import { workerConfig } from '../../src/services/judge/legacy-worker.js';
import { archive, GDB10, GDB10_OUTPUT, judgeFixture, SOLVERS, waitFor, type JudgeFixture } from './support.js';
import {
  CASE_DATA,
  CASE_ERROR,
  CASE_RESULT,
  CASE_START,
  connectRaw as openOldWorker,
  type OldWorker,
  result,
  WORKER_INFO,
  WORKER_TICK,
  workerLogin as oldWorkerLogin,
} from './old-worker.js';

let gw: TestGateway;
let fx: JudgeFixture;
const open: OldWorker[] = [];

beforeEach(async () => {
  gw = await startTestGateway();
  fx = await judgeFixture(gw);
});
afterEach(async () => {
  for (const w of open.splice(0)) w.ws.terminate();
  await gw?.stop();
});

const submit = async (solver: keyof typeof SOLVERS = 'good') =>
  (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive(solver) })).json.cid as string;
const query = async (cid: string) => (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
const statusIs = (cid: string, status: number) =>
  waitFor(
    `case ${cid} status ${status}`,
    async () => {
      const c = await query(cid);
      return c.status === status && c;
    },
    10_000,
  );

async function addWorker(username: string): Promise<void> {
  const r = await fx.root.post('/api/admin/user/add', { username, password: 'worker-pw', type: 300 });
  expect(r.status).toBe(200);
}

const workerLogin = (username: string, password: string) => oldWorkerLogin(gw.url, username, password);
const connectRaw = (cookie?: string, uid = '') => openOldWorker(gw.url, cookie, uid);

async function connect(username = 'worker1', password = 'worker-pw'): Promise<OldWorker> {
  const { uid, cookie } = await workerLogin(username, password);
  const w = await connectRaw(cookie, uid);
  if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
  open.push(w);
  return w;
}

describe('the original worker protocol on /api/websocket', () => {
  it('pushes a case as the original zip, checks the route itself, and records time = finish - start', async () => {
    const w = await connect();
    await w.register(2);
    const cid = await submit('good');
    const { cid: pushed, files } = await w.caseData();
    expect(pushed).toBe(cid);

    // The archive case.py unpacks: config.json, data/data.dat, program/<the submission>.
    expect(Object.keys(files).sort()).toEqual(['config.json', 'data/data.dat', 'program/CARP_solver.py']);
    const config = JSON.parse(strFromU8(files['config.json']!));
    // The seed is in the command as the number itself (workers before $seed substitute only
    // $data, $time, $cpu, $memory), and still in `seed` for the ones that read it.
    expect(config).toMatchObject({
      entry: 'CARP_solver.py',
      data: 'data.dat',
      parameters: `$data -t $time -s ${config.seed}`,
      time: 5,
      memory: 256,
      cpu: 1,
    });
    expect(Number.isInteger(config.seed) && config.seed >= 0).toBe(true);
    expect(strFromU8(files['data/data.dat']!)).toBe(GDB10);
    expect(strFromU8(files['program/CARP_solver.py']!)).toBe(SOLVERS.good);
    expect(await query(cid)).toMatchObject({ status: 1, workerName: 'worker1' });

    const start = 1_700_000_000.1234;
    w.send({ type: CASE_START, cid, timestamp: start });
    const running = await statusIs(cid, 2);
    expect(running.judgeTime).toMatch(/\+0000$/);
    w.send(result(cid, GDB10_OUTPUT, start + 12.25));
    const done = await statusIs(cid, 3);
    expect(done).toMatchObject({ valid: true, cost: 298, reason: 'Solution Accepted.', timedout: false, exitcode: 0, workerName: 'worker1' });
    expect(done.judgeTime).toBe(running.judgeTime);
    // Java kept the start as a Date (whole milliseconds): 12.25 + 0.0004.
    expect(done.time).toBeCloseTo(12.2504, 5);

    // The original pre-checks apply too: a timed-out run.
    const slow = await submit('loops');
    expect((await w.caseData()).cid).toBe(slow);
    w.send({ type: CASE_START, cid: slow, timestamp: start });
    w.send(result(slow, '', start + 5.2, { timedout: true, exitcode: -1 }));
    expect(await statusIs(slow, 3)).toMatchObject({ valid: false, cost: 0, reason: 'Timed out', timedout: true, exitcode: -1 });
  });

  it('puts solvers kept in one top folder, with subfolders, where the worker expects them', async () => {
    const w = await connect();
    await w.register(1);
    const data = zipBase64({ 'mine/CARP_solver.py': SOLVERS.good, 'mine/lib/a/util.py': 'X = 1\n' });
    const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data })).json.cid;
    const { cid: pushed, files } = await w.caseData();
    expect(pushed).toBe(cid);
    // Folders listed before the files, parents first (case.py does not create them for a file).
    const names = Object.keys(files);
    expect(names).toContain('program/lib/');
    expect(names.indexOf('program/lib/')).toBeLessThan(names.indexOf('program/lib/a/'));
    expect(names.indexOf('program/lib/a/')).toBeLessThan(names.indexOf('program/lib/a/util.py'));
    expect(strFromU8(files['program/CARP_solver.py']!)).toBe(SOLVERS.good);
  });

  it('refuses the handshake to anonymous, USER and ROOT sessions, and to a second socket of one worker', async () => {
    expect(await connectRaw()).toBe(403);
    await fx.root.post('/api/admin/user/add', { username: 'alice', password: 'alice-pw', type: 200 });
    const alice = await judgeLogin(gw.url, 'alice', 'alice-pw');
    expect(await connectRaw(`JSESSIONID=${alice.cookies.get('JSESSIONID')}`)).toBe(403);
    expect(await connectRaw(`JSESSIONID=${fx.root.cookies.get('JSESSIONID')}`)).toBe(403);
    expect(await connectRaw('JSESSIONID=0123456789abcdef0123456789abcdef')).toBe(403);
    // Not an upgrade at all: Spring's answer.
    const plain = await fetch(`${gw.url}/api/websocket`);
    expect(plain.status).toBe(400);

    const first = await connect();
    const { cookie } = await workerLogin('worker1', 'worker-pw');
    expect(await connectRaw(cookie)).toBe(409);
    // Once the first socket is gone the worker may connect again.
    first.ws.close();
    await waitFor('the gateway to drop the first socket', async () => gw.rooms.stats('judge-worker').rooms === 0, 5000);
    const again = await connect();
    expect(await again.next()).toEqual({ type: WORKER_INFO });
  });

  it("refuses a worker's session cookie on a socket opened by another site's page, as Spring's same-origin handshake did", async () => {
    const { uid, cookie } = await workerLogin('worker1', 'worker-pw');
    for (const origin of ['https://evil.example', 'null', gw.url.replace('127.0.0.1', 'localhost')]) {
      expect(await openOldWorker(gw.url, cookie, uid, { origin }), origin).toBe(403);
    }
    // The gateway's own origin, as a page of the judge site would send it, is taken.
    const w = await openOldWorker(gw.url, cookie, uid, { origin: gw.url });
    if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
    open.push(w);
    expect(await w.next()).toEqual({ type: WORKER_INFO });
  });

  it('keeps to maxTasks: a second case is pushed only after the first result', async () => {
    const w = await connect();
    await w.register(1);
    const a = await submit();
    const b = await submit();
    expect((await w.caseData()).cid).toBe(a);
    expect(await query(b)).toMatchObject({ status: 0 });
    expect(w.pending()).toBe(0);
    w.judge(a);
    expect((await w.caseData()).cid).toBe(b);
    // B reached the worker only after A's result had left it.
    expect(w.events).toEqual([
      `in ${WORKER_INFO}`,
      `out ${WORKER_INFO}`,
      `in ${CASE_DATA} ${a}`,
      `out ${CASE_START} ${a}`,
      `out ${CASE_RESULT} ${a}`,
      `in ${CASE_DATA} ${b}`,
    ]);
    expect(await statusIs(a, 3)).toMatchObject({ valid: true, cost: 298 });
    w.judge(b);
    expect(await statusIs(b, 3)).toMatchObject({ valid: true, cost: 298 });
  });

  it('renews the leases of an open socket itself: a case outlives its lease without any tick', async () => {
    await gw.stop();
    gw = await startTestGateway({ JUDGE_LEASE_SECONDS: '1' });
    fx = await judgeFixture(gw);
    const w = await connect();
    await w.register(1);
    const cid = await submit();
    expect((await w.caseData()).cid).toBe(cid);
    // Over two lease lengths (the sweeper runs every second): time is the point here.
    await new Promise((r) => setTimeout(r, 2200));
    expect(await query(cid)).toMatchObject({ status: 1 });
    w.judge(cid);
    expect(await statusIs(cid, 3)).toMatchObject({ valid: true, cost: 298, workerName: 'worker1' });
  });

  it('puts the cases of a closed socket back to WAITING, where a tRPC worker claims them', async () => {
    const w = await connect();
    await w.register(1);
    const cid = await submit();
    expect((await w.caseData()).cid).toBe(cid);
    w.send({ type: CASE_START, cid, timestamp: Date.now() / 1000 });
    await statusIs(cid, 2);
    w.ws.close();
    const waiting = await statusIs(cid, 0);
    expect(waiting.judgeTime).toBeNull();

    const judge = trpc(gw.url, { authorization: `Bearer ${fx.workerToken}` });
    const claimed = await judge.worker.claim.mutate({});
    // A closed socket gives the case back without counting an attempt.
    expect(claimed).toMatchObject({ id: cid, attempt: 1 });
    await judge.worker.report.mutate({
      id: cid,
      leaseId: claimed!.leaseId,
      result: {
        timedout: false,
        stdout: GDB10_OUTPUT,
        outOverflow: false,
        stderr: '',
        errOverflow: false,
        time: 1,
        exitcode: 0,
        status: 3,
        valid: true,
        cost: 298,
        reason: 'Solution Accepted.',
      },
    });
    expect(await statusIs(cid, 3)).toMatchObject({ valid: true, cost: 298 });
  });

  it('hands the cases of open sockets back to the queue when the gateway shuts down', async () => {
    const w = await connect();
    await w.register(1);
    const cid = await submit();
    expect((await w.caseData()).cid).toBe(cid);
    w.send({ type: CASE_START, cid, timestamp: Date.now() / 1000 });
    await statusIs(cid, 2);
    await gw.close();
    expect((await w.closed).code).toBe(1001);
    const db = createClient({ url: gw.dbUrl });
    const row = (await db.execute({ sql: 'SELECT status, attempts, lease_id FROM cases WHERE id = ?', args: [cid] })).rows[0];
    db.close();
    expect(row).toMatchObject({ status: 0, attempts: 0, lease_id: null });
  });

  it('shares one queue with tRPC workers: no case is judged by both, none is lost', async () => {
    await addWorker('worker2');
    const token = (await trpc(gw.url).auth.login.mutate({ username: 'worker2', password: 'worker-pw' })).token;
    const judge = trpc(gw.url, { authorization: `Bearer ${token}` });
    const old = await connect();
    await old.register(2);

    const cids = await Promise.all(Array.from({ length: 8 }, () => submit()));
    const byOld: string[] = [];
    const byNew: string[] = [];
    const oldLoop = (async () => {
      while (byOld.length + byNew.length < cids.length) {
        const d = await old.caseData().catch(() => null);
        if (!d) break;
        byOld.push(d.cid);
        old.judge(d.cid);
      }
    })();
    const newLoop = (async () => {
      for (;;) {
        const c = await judge.worker.claim.mutate({ waitMs: 0 });
        if (!c) break;
        byNew.push(c.id);
        await judge.worker.report.mutate({
          id: c.id,
          leaseId: c.leaseId,
          result: {
            timedout: false,
            stdout: GDB10_OUTPUT,
            outOverflow: false,
            stderr: '',
            errOverflow: false,
            time: 1,
            exitcode: 0,
            status: 3,
            valid: true,
            cost: 298,
            reason: 'Solution Accepted.',
          },
        });
      }
    })();
    await newLoop;
    const all = await Promise.all(cids.map((cid) => statusIs(cid, 3)));
    old.ws.close();
    await oldLoop;
    expect(byOld.filter((id) => byNew.includes(id))).toEqual([]);
    expect([...byOld, ...byNew].sort()).toEqual([...cids].sort());
    expect(byOld.length).toBeGreaterThan(0);
    for (const c of all) {
      expect(c).toMatchObject({ valid: true, cost: 298 });
      expect(c.workerName).toBe(byOld.includes(c.id) ? 'worker1' : 'worker2');
    }
  });

  it('refuses a late CASE_RESULT once the socket lost its lease; the new holder is untouched', async () => {
    await addWorker('worker2');
    const token = (await trpc(gw.url).auth.login.mutate({ username: 'worker2', password: 'worker-pw' })).token;
    const judge = trpc(gw.url, { authorization: `Bearer ${token}` });
    const w = await connect();
    await w.register(1);
    const cid = await submit();
    expect((await w.caseData()).cid).toBe(cid);
    const start = Date.now() / 1000;
    w.send({ type: CASE_START, cid, timestamp: start });
    await statusIs(cid, 2);

    // The lease runs out (as when the gateway stopped renewing it); a tRPC worker takes the case.
    await gw.services.deps.db.execute({ sql: 'UPDATE cases SET lease_expires = 1 WHERE id = ?', args: [cid] });
    const claimed = await judge.worker.claim.mutate({});
    expect(claimed).toMatchObject({ id: cid, attempt: 2 });

    w.send(result(cid, GDB10_OUTPUT, start + 1));
    w.send({ type: CASE_ERROR, cid, message: 'too late as well' });
    // Frames are handled in order: a tick with a wrong uid closes the socket after both.
    w.send({ type: WORKER_TICK, uid: 'someone-else' });
    expect((await w.closed).code).toBe(1008);
    expect(await query(cid)).toMatchObject({ status: 1, workerName: 'worker2', valid: false, cost: 0 });
    await judge.worker.report.mutate({
      id: cid,
      leaseId: claimed!.leaseId,
      result: {
        timedout: false,
        stdout: 'x',
        outOverflow: false,
        stderr: '',
        errOverflow: false,
        time: 1,
        exitcode: 0,
        status: 3,
        valid: false,
        cost: 0,
        reason: 'Wrong cost calculation.',
      },
    });
    expect(await query(cid)).toMatchObject({ status: 3, reason: 'Wrong cost calculation.', workerName: 'worker2' });
  });

  it('leaves the cases of a socket closed for an oversized frame to their leases, counting the attempt', async () => {
    const w = await connect();
    await w.register(1);
    const cid = await submit();
    expect((await w.caseData()).cid).toBe(cid);
    w.send({ type: CASE_START, cid, timestamp: Date.now() / 1000 });
    await statusIs(cid, 2);
    // Over the host's 1 MiB frame limit: the gateway closes the socket with 1009.
    w.send(result(cid, 'x'.repeat(1100 * 1024), Date.now() / 1000));
    expect((await w.closed).code).toBe(1009);
    await waitFor('the gateway to drop the socket', async () => gw.rooms.stats('judge-worker').rooms === 0, 5000);
    // Not released: still RUNNING under the old lease until it runs out.
    expect(await query(cid)).toMatchObject({ status: 2 });
    await gw.services.deps.db.execute({ sql: 'UPDATE cases SET lease_expires = 1 WHERE id = ?', args: [cid] });
    const judge = trpc(gw.url, { authorization: `Bearer ${fx.workerToken}` });
    expect(await judge.worker.claim.mutate({})).toMatchObject({ id: cid, attempt: 2 });
  });

  it('ends a case in ERROR with the message of CASE_ERROR, as the original server did', async () => {
    const w = await connect();
    await w.register(1);
    const cid = await submit();
    expect((await w.caseData()).cid).toBe(cid);
    w.send({ type: CASE_ERROR, cid, message: "'utf-8' codec can't decode byte 0xff in position 0" });
    expect(await statusIs(cid, 4)).toMatchObject({ valid: false, cost: 0, reason: "'utf-8' codec can't decode byte 0xff in position 0" });
  });

  it('ignores malformed frames and messages about cases the socket does not hold', async () => {
    const w = await connect();
    expect(await w.next()).toEqual({ type: WORKER_INFO });
    // Before WORKER_INFO the original asked again for it.
    w.send({ type: WORKER_TICK, uid: w.uid });
    expect(await w.next()).toEqual({ type: WORKER_INFO });
    w.send({ type: WORKER_INFO, uid: w.uid, maxTasks: 1 });

    const other = await submit();
    expect((await w.caseData()).cid).toBe(other);
    for (const frame of [
      'not json',
      '[1,2]',
      'null',
      '{"type":"4"}',
      '{"type":99}',
      JSON.stringify({ type: CASE_RESULT, cid: other }), // fields missing
      JSON.stringify({ ...result(other, GDB10_OUTPUT, 1), exitcode: 'zero' }),
      JSON.stringify({ type: CASE_START, cid: 'ffffffffffffffffffffffff', timestamp: 1 }),
      JSON.stringify(result('ffffffffffffffffffffffff', GDB10_OUTPUT, 2)),
      JSON.stringify({ type: CASE_ERROR, cid: 'ffffffffffffffffffffffff', message: 'x' }),
    ])
      w.send(frame);
    w.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    // Still the same socket, still holding its case: the real result finishes it.
    w.judge(other);
    expect(await statusIs(other, 3)).toMatchObject({ valid: true, cost: 298, workerName: 'worker1' });
    expect(w.pending()).toBe(0);
  });

  it('closes the socket of a worker that answers WORKER_INFO with another uid', async () => {
    const w = await connect();
    expect(await w.next()).toEqual({ type: WORKER_INFO });
    w.send({ type: WORKER_INFO, uid: 'not-me', maxTasks: 1 });
    expect((await w.closed).code).toBe(1008);
  });
});

describe('config.json for the original worker', () => {
  const dataset = { id: 'd', name: 'gdb10', time: 60, memory: 512, cpu: 2, data: GDB10 };
  it("carries a dataset's python command over as entry and parameters; anything else runs the course's command", () => {
    const files = new Set(['CARP_solver.py', 'alt/solve.py']);
    const plain = workerConfig({ ...dataset, command: null }, files);
    expect(plain).toMatchObject({
      entry: 'CARP_solver.py',
      data: 'data.dat',
      parameters: `$data -t $time -s ${plain.seed}`,
      time: 60,
      memory: 512,
      cpu: 2,
    });
    const carried = workerConfig({ ...dataset, command: 'python3 alt/solve.py {instance} --time {time} --seed {seed} -v' }, files);
    expect(carried).toMatchObject({ entry: 'alt/solve.py', parameters: `$data --time $time --seed ${carried.seed} -v` });
    const other = workerConfig({ ...dataset, command: './solver {instance}' }, files);
    expect(other).toMatchObject({ entry: 'CARP_solver.py', parameters: `$data -t $time -s ${other.seed}` });
    expect(workerConfig({ ...dataset, command: 'python3 missing.py {instance}' }, files)).toMatchObject({ entry: 'CARP_solver.py' });
  });

  it('writes the seed as a non-negative 31-bit int, a fresh one per case, and never the text $seed', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const c = workerConfig({ ...dataset, command: null }, new Set(['CARP_solver.py']));
      expect(Number.isSafeInteger(c.seed) && c.seed >= 0 && c.seed < 2 ** 31).toBe(true);
      expect(c.parameters).not.toContain('$seed');
      expect(c.parameters.split(' ').at(-1)).toBe(String(c.seed));
      seeds.add(c.seed);
    }
    expect(seeds.size).toBeGreaterThan(190);
  });
});
