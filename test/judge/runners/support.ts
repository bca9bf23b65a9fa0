import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, strToU8, zipSync } from 'fflate';
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
  extra: Partial<Omit<RunSpec, 'workDir' | 'argv' | 'limits'>> & { argv?: (dir: string) => string[] } = {},
): Promise<SolverRun> {
  const solver = await unpackSolver(solverZip(code), INSTANCE, base);
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

export interface RawEntry {
  /** Written byte for byte (no normalisation: `../x` stays `../x`). */
  name: string;
  data?: string | Uint8Array;
  /** Unix mode in the central directory (made by unix), e.g. 0o120777 for a symlink. */
  unixMode?: number;
  /** Deflate the data (method 8) instead of storing it. */
  deflate?: boolean;
  /** Uncompressed size to claim in the headers (to lie about it). */
  declaredSize?: number;
}

/** A zip written by hand, for archives an archiver would refuse to make. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const plain = typeof e.data === 'string' ? strToU8(e.data) : (e.data ?? new Uint8Array());
    const body = e.deflate ? deflateSync(plain) : plain;
    const size = e.declaredSize ?? plain.length;
    const method = e.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, Buffer.from(body));
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(e.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(e.unixMode === undefined ? 0 : (e.unixMode << 16) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, cd, eocd]));
}
