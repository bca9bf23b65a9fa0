import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { unpackSolver, type UnpackedSolver } from '../../../judge/unpack.js';
import { carpArgv, type RunLimits, type RunResult, type RunSpec, type Runner } from '../../../judge/runners/types.js';

export const GOOD_SOLVER = [
  'import sys',
  'args = sys.argv[1:]',
  'with open(args[0]) as f: first = f.readline().strip()',
  'print("s 0,(1,2),0")',
  'print("q 5")',
  'print("args", " ".join(args[1:]))',
  'print("first", first)',
  '',
].join('\n');

export const INSTANCE = 'NAME : test\nVERTICES : 3\nEND\n';

/** A solver archive (zip made with fflate) holding CARP_solver.py plus optional extra files. */
export function solverZip(code: string, extra: Record<string, string> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'CARP_solver.py': strToU8(code) };
  for (const [k, v] of Object.entries(extra)) files[k] = strToU8(v);
  return zipSync(files);
}

/** A scratch base dir for work dirs, private to one test file. */
export async function scratchBase(tag: string): Promise<{ base: string; remove(): Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), `arena-runner-test-${tag}-`));
  return { base, remove: () => rm(base, { recursive: true, force: true }) };
}

export interface SolverRun {
  result: RunResult;
  solver: UnpackedSolver;
}

/** Unpacks `code` as a solver, runs it the way the judge does, and returns the result (work dir kept until cleanup). */
export async function runSolver(
  runner: Runner,
  base: string,
  code: string,
  limits: Partial<RunLimits> = {},
  extra: Partial<Omit<RunSpec, 'workDir' | 'argv' | 'limits'>> & { argv?: (dir: string) => string[]; workDirMb?: number } = {},
): Promise<SolverRun> {
  const solver = await unpackSolver(solverZip(code), INSTANCE, base, { sizeMb: extra.workDirMb });
  const lim: RunLimits = { timeSec: 2, memoryMb: 256, cpus: 1, ...limits };
  const argv = extra.argv ? extra.argv(solver.dir) : carpArgv(runner, solver.dir, { timeSec: lim.timeSec, seed: 42 });
  const result = await runner.run({
    workDir: solver.dir,
    argv,
    limits: lim,
    outputCapBytes: extra.outputCapBytes,
    signal: extra.signal,
  });
  return { result, solver };
}

export interface ProcInfo {
  pid: number;
  uid: number;
  cmdline: string;
}

/** Every process on the host (from /proc), with real uid and command line. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), uid, cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Processes left over from a run: any process of a sandbox uid in the range, or mentioning `marker`. */
export function leftovers(opts: { uidRange?: [number, number]; marker?: string }): ProcInfo[] {
  return listProcesses().filter(
    (p) =>
      p.pid !== process.pid &&
      ((opts.uidRange !== undefined && p.uid >= opts.uidRange[0] && p.uid < opts.uidRange[1]) ||
        (opts.marker !== undefined && p.cmdline.includes(opts.marker))),
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hand-written zips (unsafe names, symlink modes, lying sizes) come from the shared test helper. */
export { rawZip } from '../../helpers/zip.js';
