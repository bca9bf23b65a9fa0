import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, GDB10, GDB10_OUTPUT, judgeFixture, startTestJudge, waitFor, type SOLVERS, type JudgeFixture } from './support.js';
import { zipBase64 } from '../helpers/zip.js';
import { canMount } from '../../judge/bounded-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let gw: TestGateway;
let fx: JudgeFixture;
let shortDataset: string;

beforeAll(async () => {
  gw = await startTestGateway({ JUDGE_LEASE_SECONDS: '3' });
  fx = await judgeFixture(gw, 5);
  shortDataset = (await fx.root.post('/api/dataset/add', { name: 'gdb10-2s', time: 2, memory: 256, cpu: 1, data: GDB10 })).json.id;
});
afterAll(() => gw?.stop());

const submit = async (solver: keyof typeof SOLVERS, dataset = fx.datasetId) =>
  (await fx.root.post('/api/judge/submit', { dataset, data: archive(solver) })).json.cid as string;
const query = async (cid: string) => (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
const finished = (cid: string, timeoutMs = 60_000) =>
  waitFor(
    `case ${cid} to finish`,
    async () => {
      const c = await query(cid);
      return c.status >= 3 && c;
    },
    timeoutMs,
  );

/** A judge process as `npm run judge` starts one, against this gateway. */
function judgeProcess(url = gw.url): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'judge/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, JUDGE_GATEWAY_URL: url, JUDGE_USERNAME: 'worker1', JUDGE_PASSWORD: 'worker-pw', JUDGE_RUNNER: 'bwrap' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('submit -> claim -> bwrap sandbox -> check -> verdict on every door', () => {
  it('judges good, looping, flooding, failing, invalid, fork-bombing and disk-filling solvers', async () => {
    const judge = startTestJudge(gw.url, 2);
    try {
      const good = await submit('good');
      const loops = await submit('loops', shortDataset);
      const floods = await submit('floods');
      const exits1 = await submit('exits1');
      const invalid = await submit('invalid');
      const forks = await submit('forks', shortDataset);
      const fills = await submit('fills');

      const g = await finished(good);
      expect(g).toMatchObject({
        status: 3,
        valid: true,
        cost: 298,
        reason: 'Solution Accepted.',
        timedout: false,
        exitcode: 0,
        workerName: 'worker1',
      });
      expect(g.judgeTime).toMatch(/\+0000$/);
      expect(g.time).toBeGreaterThan(0);

      expect(await finished(loops)).toMatchObject({ status: 3, timedout: true, exitcode: -1, valid: false, cost: 0, reason: 'Timed out' });
      const f = await finished(floods);
      // Only the last 256 KiB are kept: no `s` line survives, so no task is served.
      expect(f).toMatchObject({ status: 3, outOverflow: true, valid: false, reason: 'There are still tasks not accomplished.' });
      expect(f.stdout).toBeUndefined(); // outputs stay out of the legacy case shape
      expect(await finished(exits1)).toMatchObject({ status: 3, exitcode: 1, valid: false, reason: 'Exit code is not zero' });
      expect(await finished(invalid)).toMatchObject({
        status: 3,
        exitcode: 0,
        valid: false,
        cost: 0,
        reason: 'There are still tasks not accomplished.',
      });
      const fb = await finished(forks);
      expect(fb).toMatchObject({ status: 3, valid: false, timedout: true, reason: 'Timed out' });
      // The work dir is a tmpfs of TEST_WORKDIR_MB where the judge may mount (root): the third file does not fit.
      expect(await finished(fills)).toMatchObject(
        canMount()
          ? { status: 3, exitcode: 1, reason: 'Exit code is not zero' }
          : { status: 3, exitcode: 0, reason: 'There are still tasks not accomplished.' },
      );

      // The same verdict through GraphQL and tRPC, and on the leaderboard.
      const rootAuth = { authorization: `Bearer ${(await trpc(gw.url).auth.login.mutate({ username: 'root', password: 'root-pass-1' })).token}` };
      const viaGql = (await gql(gw.url, 'query($id: ID!) { case(id: $id) { status valid cost reason workerName } }', { id: good }, rootAuth)).data
        .case;
      expect(viaGql).toEqual({ status: 3, valid: true, cost: 298, reason: 'Solution Accepted.', workerName: 'worker1' });
      expect(await trpc(gw.url, rootAuth).judge.cases.get.query({ id: good })).toMatchObject({ status: 3, valid: true, cost: 298 });
      const top = (await fx.root.get(`/api/judge/top?did=${fx.datasetId}`)).json.carpCases;
      expect(top).toEqual([expect.objectContaining({ userName: 'root', cost: 298 })]);
    } finally {
      await judge.stop();
    }
  });

  it('runs a dataset with its own solver command', async () => {
    const rootToken = (await trpc(gw.url).auth.login.mutate({ username: 'root', password: 'root-pass-1' })).token;
    const { id } = await trpc(gw.url, { authorization: `Bearer ${rootToken}` }).judge.datasets.add.mutate({
      name: 'gdb10-custom',
      time: 5,
      memory: 256,
      cpu: 1,
      data: GDB10,
      command: 'python3 CARP_solver.py custom {instance} {time}',
    });
    const solver = `import sys\nif sys.argv[1] != "custom" or sys.argv[3] != "5":\n    sys.exit(3)\nsys.stdout.write(open(sys.argv[2]).read() and ${JSON.stringify(GDB10_OUTPUT)})\n`;
    const cid = (await fx.root.post('/api/judge/submit', { dataset: id, data: zipBase64({ 'CARP_solver.py': solver }) })).json.cid;
    const judge = startTestJudge(gw.url);
    try {
      expect(await finished(cid)).toMatchObject({ status: 3, exitcode: 0, valid: true, cost: 298 });
    } finally {
      await judge.stop();
    }
  });

  it('streams a case from WAITING to FINISHED over the tRPC and GraphQL subscriptions', async () => {
    const cid = await submit('good');
    const token = (await trpc(gw.url).auth.login.mutate({ username: 'root', password: 'root-pass-1' })).token;
    // GraphQL over SSE (graphql-yoga's default transport for subscriptions).
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `subscription { caseStatus(id: "${cid}") { status valid cost } }` }),
    });
    const seen: number[] = [];
    const gqlDone = (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        for (const m of buf.matchAll(/data: (\{.*\})\n/g)) {
          const payload = JSON.parse(m[1]!);
          if (payload.data?.caseStatus) seen.push(payload.data.caseStatus.status);
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
        if (seen.includes(3)) break;
      }
      await reader.cancel();
    })();

    // tRPC over SSE, the same stream.
    const viaTrpc: Array<{ status: number; valid: boolean; cost: number }> = [];
    const trpcDone = new Promise<void>((resolve, reject) => {
      const sub = trpc(gw.url, { authorization: `Bearer ${token}` }).judge.caseStatus.subscribe(
        { id: cid },
        {
          onData: (c) => {
            viaTrpc.push(c);
            if (c.status >= 3) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    await waitFor('the tRPC subscription to see the waiting case', async () => viaTrpc.length > 0);

    const judge = startTestJudge(gw.url);
    try {
      await finished(cid);
      await Promise.all([gqlDone, trpcDone]);
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(3);
      expect(seen).toEqual([...seen].sort());
      expect(viaTrpc[0]!.status).toBe(0);
      expect(viaTrpc.at(-1)).toMatchObject({ status: 3, valid: true, cost: 298 });
      expect(viaTrpc.map((c) => c.status)).toEqual(viaTrpc.map((c) => c.status).sort());
    } finally {
      await judge.stop();
    }
  });

  it('re-judges a case whose judge was killed mid-run with SIGKILL, once', async () => {
    const cid = await submit('loops');
    const doomed = judgeProcess();
    await waitFor('the case to start running', async () => (await query(cid)).status === 2);
    doomed.kill('SIGKILL');
    await new Promise((r) => doomed.once('exit', r));
    const survivor = judgeProcess();
    try {
      const c = await finished(cid, 40_000);
      expect(c).toMatchObject({ status: 3, timedout: true, reason: 'Timed out' });
      const db = createClient({ url: gw.dbUrl });
      const row = (await db.execute({ sql: 'SELECT attempts, lease_id FROM cases WHERE id = ?', args: [cid] })).rows[0]!;
      db.close();
      expect(row.attempts).toBeGreaterThanOrEqual(2); // claimed again after the dead judge's lease ran out
      expect(row.lease_id).toBeNull();
    } finally {
      survivor.kill('SIGTERM');
      await new Promise((r) => survivor.once('exit', r));
    }
  });

  it('two judges racing for 50 cases judge each exactly once', async () => {
    // A gateway of its own with a long lease: only a lost race could claim a case twice here.
    const race = await startTestGateway({ JUDGE_LEASE_SECONDS: '60' });
    const rfx = await judgeFixture(race, 5);
    const cids: string[] = [];
    for (let i = 0; i < 50; i++) cids.push((await rfx.root.post('/api/judge/submit', { dataset: rfx.datasetId, data: archive('invalid') })).json.cid);
    const a = judgeProcess(race.url);
    const b = judgeProcess(race.url);
    try {
      await waitFor(
        '50 verdicts',
        async () => {
          const page = (await rfx.root.get('/api/judge/get?page=0&size=50')).json.carpCases as Array<{ status: number }>;
          return page.every((c) => c.status === 3);
        },
        120_000,
      );
    } finally {
      a.kill('SIGTERM');
      b.kill('SIGTERM');
      await Promise.all([new Promise((r) => a.once('exit', r)), new Promise((r) => b.once('exit', r))]);
    }
    const db = createClient({ url: race.dbUrl });
    const rows = (await db.execute({ sql: `SELECT attempts, status, reason FROM cases WHERE id IN (${cids.map(() => '?').join(',')})`, args: cids }))
      .rows;
    db.close();
    expect(rows).toHaveLength(50);
    for (const r of rows) expect(r).toMatchObject({ attempts: 1, status: 3, reason: 'There are still tasks not accomplished.' });
    await race.stop();
  });
});
