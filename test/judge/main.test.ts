// `npm run judge` as its own process: it waits for a gateway that is not there yet (retrying with
// back-off), judges once it is, and a gateway that refuses its account stops it with one line.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { retryDelay } from '../../judge/retry.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, judgeFixture, waitFor } from '../judge-service/support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const running: ChildProcess[] = [];
let gw: TestGateway | null = null;

afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  await gw?.stop();
  gw = null;
});

/** A port nothing listens on (taken from the kernel, then let go). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function startJudgeProcess(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'judge/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, JUDGE_USERNAME: 'worker1', JUDGE_PASSWORD: 'worker-pw', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

describe('retryDelay', () => {
  it('doubles from 1 s to at most 30 s, less up to a fifth of jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => retryDelay(n, () => 0))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(retryDelay(1, () => 1)).toBe(800);
    expect(retryDelay(9, () => 0.5)).toBe(27000);
    expect(retryDelay(0, () => 0)).toBe(1000);
  });
});

describe('npm run judge', () => {
  it('waits for a gateway that is not up yet, backing off, then judges on it', async () => {
    const port = await freePort();
    const judge = startJudgeProcess({ JUDGE_GATEWAY_URL: `http://127.0.0.1:${port}` });
    await waitFor('two retries', async () => /retry 2 in \d/.test(judge.output()), 20_000);
    expect(judge.output()).toMatch(/retry 1 in 0\.[89]|retry 1 in 1\.0/);
    expect(judge.output()).toMatch(/retry 2 in (1\.[6-9]|2\.0)/);
    expect(judge.proc.exitCode).toBeNull();

    // The gateway comes up on that port: the judge logs in at its next try and judges.
    gw = await startTestGateway({ PORT: String(port) });
    const fx = await judgeFixture(gw);
    const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid;
    const judged = await waitFor(
      'the judge to judge the case',
      async () => {
        const r = (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
        return r.status === 3 && r;
      },
      60_000,
    );
    expect(judged).toMatchObject({ valid: true, cost: 298, workerName: 'worker1' });
  }, 90_000);

  it('stops with one line when the gateway refuses its account', async () => {
    gw = await startTestGateway();
    await judgeFixture(gw);
    const judge = startJudgeProcess({ JUDGE_GATEWAY_URL: gw.url, JUDGE_PASSWORD: 'not-the-password' });
    expect(await judge.exited).toBe(1);
    expect(judge.output()).toMatch(/^judge failed to start: /m);
    expect(judge.output()).not.toMatch(/retry \d/);
  });
});
