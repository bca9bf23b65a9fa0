import { request } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, judgeLogin } from '../helpers/http.js';
import { startMain as startMainProcess } from '../helpers/main-process.js';
import { archive, GDB10, waitFor } from '../judge-service/support.js';

let dir: string;

/** The real Node entry on a free port with its own data directory. */
const startMain = (env: Record<string, string> = {}) =>
  startMainProcess({ DATABASE_URL: `file:${join(dir, 'arena.db')}`, BLOB_DIR: join(dir, 'blobs'), ...env });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the Node entry', () => {
  it('migrates, creates ROOT once with a printed password, answers /healthz, and shuts down gracefully', async () => {
    const first = await startMain();
    const printed = /created ROOT user 'root' with password: ([^\s"]+)/.exec(first.output());
    expect(printed).not.toBeNull();
    expect(first.output()).toContain('migrations applied: 0001_identity.sql');

    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', migrations: expect.any(Number) });
    const c = new Client(first.url);
    expect((await c.post('/api/login', { username: 'root', password: printed![1] })).json).toMatchObject({ type: 0 });

    // The embedded judge (a separate process, bwrap sandbox) judges a submission.
    const datasetId = (await c.post('/api/dataset/add', { name: 'gdb10', time: 5, memory: 256, cpu: 1, data: GDB10 })).json.id;
    const cid = (await c.post('/api/judge/submit', { dataset: datasetId, data: archive('good') })).json.cid;
    const judged = await waitFor('the embedded judge', async () => {
      const r = (await c.get(`/api/judge/query?cid=${cid}`)).json;
      return r.status === 3 && r;
    });
    expect(judged).toMatchObject({ valid: true, cost: 298, workerName: 'judge' });

    // A request still being sent when SIGTERM arrives is answered before the process exits.
    const { port } = new URL(first.url);
    const body = JSON.stringify({ username: 'root', password: printed![1] });
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/login',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        first.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 200);
      }, 100);
    });
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ type: 0 });
    expect(await first.exited).toBe(0);
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    // Second start on the same database: nothing to migrate, ROOT already there.
    const second = await startMain();
    expect(second.output()).not.toContain('created ROOT');
    expect(second.output()).not.toContain('migrations applied');
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    second.proc.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`ends its judge process when the gateway process ends by ${signal}`, async () => {
      const main = await startMain();
      const pid = Number(await waitFor('the judge to start', async () => /judge process (\d+) started/.exec(main.output())?.[1]));
      await waitFor('the judge to serve', async () => /judge \(\w+, 1 at a time\) serving/.test(main.output()));
      expect(alive(pid)).toBe(true);
      main.proc.kill(signal);
      await main.exited;
      // However the gateway ended, its judge is gone soon after (not retrying a dead gateway).
      await waitFor(`judge ${pid} to end`, async () => !alive(pid), 15_000);
    });
  }

  it('restarts a judge that dies mid-run (kill -9) with a log line, and the new one removes the dead one’s work dir', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'arena-judge-tmp-'));
    try {
      // TMPDIR: the judges' work folders land where this test can see them.
      const main = await startMainProcess({
        DATABASE_URL: `file:${join(tmp, 'arena.db')}`,
        BLOB_DIR: join(tmp, 'blobs'),
        ROOT_PASSWORD: 'pw-restart',
        TMPDIR: tmp,
      });
      const firstPid = Number(await waitFor('the judge to start', async () => /judge process (\d+) started/.exec(main.output())?.[1]));
      const root = await judgeLogin(main.url, 'root', 'pw-restart');
      const dataset = (await root.post('/api/dataset/add', { name: 'gdb10-loops', time: 30, memory: 256, cpu: 1, data: GDB10 })).json.id;
      await root.post('/api/judge/submit', { dataset, data: archive('loops') });
      const workDir = join(tmp, `arena-judge-${firstPid}`);
      await waitFor('the solver to run', async () => (await readdir(workDir).catch(() => [])).some((d) => d.startsWith('arena-solver-')), 30_000);

      process.kill(firstPid, 'SIGKILL');
      const secondPid = Number(
        await waitFor('another judge', async () => new RegExp(`judge process (?!${firstPid}\\b)(\\d+) started`).exec(main.output())?.[1], 15_000),
      );
      expect(main.output()).toMatch(new RegExp(`judge process ${firstPid} killed by SIGKILL; starting another in 1 s`));
      expect(alive(secondPid)).toBe(true);
      await waitFor('the dead judge’s work dir to go', async () => (await readdir(tmp)).every((d) => d !== `arena-judge-${firstPid}`), 15_000);
      expect(main.output()).toContain('removed the work dirs of judges that died mid-run');
      main.proc.kill('SIGTERM');
      await main.exited;
      await waitFor(`judge ${secondPid} to end`, async () => !alive(secondPid), 15_000);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 90_000);
});

/** Whether a process exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
