/**
 * The judge end to end: N submissions of an instant solver (it prints gdb10's valid route at
 * once) judged through the real gateway by one judge at concurrency 1 and 2: cases per second,
 * and the pipeline's cost per case (claim, archive fetch, unpack, sandbox, check, report) beside
 * the bare sandbox runs of the same run: the same solver, and `/usr/bin/true` (the sandbox start).
 *
 *   npx tsx bench/judge.ts   (BENCH_JUDGE_CASES, default 30)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { DEFAULT_SOLVER_COMMAND } from '../judge/command.js';
import { gatewayClient } from '../judge/gateway-client.js';
import { startJudge } from '../judge/judge.js';
import { createRunner } from '../judge/runners/index.js';
import { carpArgv, type RunLimits, type Runner } from '../judge/runners/types.js';
import { unpackSolver } from '../judge/unpack.js';
import { silentLogger } from '../src/observe/logger.js';
import { GDB10, GDB10_OUTPUT } from '../test/judge-service/support.js';
import { login, meanMs, start } from './support.js';

const CASES = Number(process.env.BENCH_JUDGE_CASES ?? 30);
const SOLVER = `import sys\nsys.stdout.write(${JSON.stringify(GDB10_OUTPUT)})\n`;
const LIMITS: RunLimits = { timeSec: 10, memoryMb: 256, cpus: 1 };
const WORKER = { username: 'bench-worker', password: 'bench-worker-pw' };

/** Mean ms of one bare sandbox run of `argv(dir)` in a work dir holding the solver. */
async function bareRun(runner: Runner, argv: (dir: string) => string[]): Promise<number> {
  const solver = await unpackSolver(zipSync({ 'CARP_solver.py': strToU8(SOLVER) }), GDB10);
  try {
    return await meanMs(CASES, 3, () => runner.run({ workDir: solver.dir, argv: argv(solver.dir), limits: LIMITS }));
  } finally {
    await solver.cleanup();
  }
}

export async function run(): Promise<Array<Record<string, unknown>>> {
  const dir = await mkdtemp(join(tmpdir(), 'arena-bench-judge-'));
  const gateway = await start('./servers/gateway.ts', [join(dir, 'bench.db'), join(dir, 'blobs')]);
  try {
    const cookie = await login(gateway.url, 'root', 'bench-root');
    const call = async (path: string, body?: unknown) => {
      const res = await fetch(`${gateway.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { cookie },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const dataset = (await call('/api/dataset/add', { name: 'gdb10', time: LIMITS.timeSec, memory: LIMITS.memoryMb, cpu: LIMITS.cpus, data: GDB10 }))
      .id;
    await call('/api/admin/user/add', { ...WORKER, type: 300 });
    const archive = Buffer.from(zipSync({ 'CARP_solver.py': strToU8(SOLVER) })).toString('base64');

    const runner = createRunner('bwrap');
    const solverMs = await bareRun(runner, (d) => carpArgv(runner, d, { timeSec: LIMITS.timeSec, seed: 1 }));
    const startMs = await bareRun(runner, () => ['/usr/bin/true']);
    const rows: Array<Record<string, unknown>> = [
      { name: 'bare sandbox run of the solver', msPerCase: +solverMs.toFixed(1) },
      { name: 'bare sandbox start (/usr/bin/true)', msPerCase: +startMs.toFixed(1) },
    ];
    for (const concurrency of [1, 2]) {
      // Queued first, then one judge takes them all: the wall time is the pipeline's alone.
      const cids: string[] = [];
      for (let i = 0; i < CASES; i++) cids.push(String((await call('/api/judge/submit', { dataset, data: archive })).cid));
      const t0 = performance.now();
      const judge = startJudge({
        client: gatewayClient(gateway.url, WORKER.username, WORKER.password),
        runner,
        concurrency,
        solverCommand: DEFAULT_SOLVER_COMMAND,
        log: silentLogger,
        waitMs: 1000,
      });
      try {
        for (const cid of cids) {
          for (;;) {
            const c = await call(`/api/judge/query?cid=${cid}`);
            if (Number(c.status) >= 3) {
              if (c.valid !== true) throw new Error(`case ${cid} was judged ${String(c.reason)}`);
              break;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      } finally {
        await judge.stop();
      }
      const wallMs = performance.now() - t0;
      // Per case of one judge loop: what the pipeline adds to the solver's own sandbox run.
      const perCase = (wallMs * concurrency) / CASES;
      rows.push({
        name: `judge end to end, concurrency ${concurrency}`,
        casesPerSec: +((CASES * 1000) / wallMs).toFixed(2),
        msPerCase: +perCase.toFixed(1),
        overheadMs: +(perCase - solverMs).toFixed(1),
        overheadVsSandboxStart: +((perCase - solverMs) / startMs).toFixed(2),
      });
    }
    return rows;
  } finally {
    gateway.proc.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) console.table(await run());
