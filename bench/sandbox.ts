/**
 * Sandbox overhead of the judge runners: the same program started through the bwrap runner
 * (chown of the work dir, namespaces, mounts, rlimits, uid switch, seccomp, output capture)
 * and, as the baseline measured in the same run, with a plain `spawn` of the same python.
 *
 *   npx tsx bench/sandbox.ts [iterations]
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { BwrapRunner, checkBwrap, detectPython } from '../judge/runners/bwrap.js';
import { carpArgv, type Runner } from '../judge/runners/types.js';
import { unpackSolver } from '../judge/unpack.js';
import { meanMs } from './support.js';

export interface BenchRow {
  name: string;
  /** Mean wall time of one run through the sandbox, ms. */
  msPerOp: number;
  /** Mean wall time of the same program with a plain spawn, ms. */
  baseline: number;
  /** msPerOp / baseline. */
  ratio: number;
  /** msPerOp - baseline: what the sandbox adds per run, ms. */
  overheadMs: number;
}

function plainRun(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

export async function run(iterations = 20): Promise<BenchRow[]> {
  const check = checkBwrap();
  if (!check.ok) throw new Error(check.message);
  const runner: Runner = new BwrapRunner();
  const python = detectPython().executable;
  const solver = await unpackSolver(zipSync({ 'CARP_solver.py': strToU8('') }), 'NAME : bench\n');
  const limits = { timeSec: 30, memoryMb: 256, cpus: 1 };
  const cases: Array<{ name: string; sandboxArgv: string[]; plain: [string, string[]] }> = [
    {
      name: 'empty CARP_solver.py (python3 CARP_solver.py data.dat -t 30 -s 1)',
      sandboxArgv: carpArgv(runner, solver.dir, { timeSec: 30, seed: 1 }),
      plain: [python, ['CARP_solver.py', `${solver.dir}/data.dat`, '-t', '30', '-s', '1']],
    },
    {
      name: 'python3 -c pass',
      sandboxArgv: ['python3', '-c', 'pass'],
      plain: [python, ['-c', 'pass']],
    },
    {
      name: '/usr/bin/true (sandbox cost alone)',
      sandboxArgv: ['/usr/bin/true'],
      plain: ['/usr/bin/true', []],
    },
  ];
  const rows: BenchRow[] = [];
  try {
    for (const c of cases) {
      const baseline = await meanMs(iterations, 2, () => plainRun(c.plain[0], c.plain[1], solver.dir));
      const msPerOp = await meanMs(iterations, 2, async () => {
        const r = await runner.run({ workDir: solver.dir, argv: c.sandboxArgv, limits });
        if (r.exitcode !== 0) throw new Error(`${c.name}: exit ${r.exitcode}: ${r.stderr}`);
      });
      rows.push({
        name: c.name,
        msPerOp: Number(msPerOp.toFixed(2)),
        baseline: Number(baseline.toFixed(2)),
        ratio: Number((msPerOp / baseline).toFixed(2)),
        overheadMs: Number((msPerOp - baseline).toFixed(2)),
      });
    }
  } finally {
    await solver.cleanup();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 20);
  run(n).then(
    (rows) => console.table(rows),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
