import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';
import { createRunCgroup } from './cgroup.js';
import { seccompFilter } from './seccomp.js';
import { killProcessGroup, runCaptured, type ExtraFd, type LaunchPlan } from './spawn.js';
import { DEFAULT_FILE_SIZE_MB, DEFAULT_PIDS, SANDBOX_WORKDIR, type RunResult, type RunSpec, type Runner } from './types.js';
import { canChown, chownTree } from './workdir.js';

/**
 * bubblewrap runner.
 *
 * Layout inside the sandbox: an empty root (tmpfs, remounted read-only) holding only
 *  - `/usr` (+ the `/bin`, `/lib*`, `/sbin` merged-usr links), `/etc/ld.so.cache`, `/etc/localtime`: read-only;
 *  - the python installation (`sys.base_prefix` of the host's `python3`, e.g. under /root/.pyenv): read-only,
 *    at its host path (the directories above it are empty, traversable placeholders);
 *  - a new `/proc` (own pid namespace), a minimal `/dev`, private size-limited tmpfs `/tmp` and `/dev/shm`;
 *  - the work dir, writable, at {@link SANDBOX_WORKDIR} (the cwd).
 * Nothing else of the host exists in there (no /work, /home, /root contents, /var, /run, /sys, /etc).
 *
 * Namespaces: pid, net (loopback only, no interfaces to the outside), ipc, uts, cgroup, mount.
 * No user namespace: bwrap runs as root so that the solver can be started under a dedicated,
 * otherwise unused host uid (RLIMIT_NPROC is accounted per real uid and ignored for root, so a
 * per-run uid is what makes the process limit real). In order, inside the sandbox:
 * `prlimit` (AS, CPU, NPROC, FSIZE, NOFILE, CORE) → `setpriv` (uid/gid, no groups, no
 * capabilities, empty bounding set, no_new_privs) → the solver, under a seccomp filter
 * (see seccomp.ts) that refuses namespace creation, mount, ptrace, bpf, keyrings, io_uring...
 */

export interface BwrapOptions {
  /** bwrap executable. Default `bwrap` (from PATH). */
  bwrapPath?: string;
  /**
   * Host python whose installation is made visible (its `sys.base_prefix`/`sys.prefix`, bound
   * read-only at the same path, `bin` first on PATH). Default `python3`; `false`: only /usr.
   */
  python?: string | false;
  /** More host paths bound read-only at the same path. */
  extraRoBinds?: string[];
  /** Fixed uid (and gid) for the solver; default: a free one from [uidBase, uidBase + uidCount). */
  uid?: number;
  uidBase?: number;
  uidCount?: number;
  /** Size of the private /tmp in MB; default: half the memory limit (its pages count as the run's memory in its cgroup). */
  tmpSizeMb?: number;
  /** Size of /dev/shm in MB; default 64 (as docker). */
  shmSizeMb?: number;
  /** RLIMIT_AS = memory + this, in MB (python and its libraries map more than they use). Default 256. */
  addressSpaceHeadroomMb?: number;
  /** RLIMIT_NOFILE; default 256. */
  nofile?: number;
  /** Default RLIMIT_FSIZE when the limits do not say; MB. Default {@link DEFAULT_FILE_SIZE_MB}. */
  fileSizeMb?: number;
  /** Install the seccomp filter (x86_64 only). Default true. */
  seccomp?: boolean;
}

export interface PythonInstall {
  /** Real path of the interpreter. */
  executable: string;
  /** Host directories to bind read-only (prefix, base prefix, interpreter dir; outside /usr). */
  roots: string[];
  /** Directory to put first on PATH (so `python3` is this interpreter). */
  binDir: string;
}

const pythonCache = new Map<string, PythonInstall>();

/** Where the host's `python3` (or `cmd`) really lives, to make it visible in the sandbox. */
export function detectPython(cmd = 'python3'): PythonInstall {
  const cached = pythonCache.get(cmd);
  if (cached) return cached;
  let raw: string;
  try {
    raw = execFileSync(cmd, ['-c', 'import sys,json;print(json.dumps([sys.executable,sys.prefix,sys.base_prefix]))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
  } catch (e) {
    throw new Error(`bwrap runner: cannot run ${cmd} to locate the python installation: ${(e as Error).message}`);
  }
  const [exe, prefix, basePrefix] = JSON.parse(raw.trim()) as [string, string, string];
  const executable = realpathSync(exe);
  const candidates = [basePrefix, prefix, dirname(executable), dirname(exe)].map((p) => realpathSync(p));
  const roots = minimalRoots(candidates.filter((p) => !isUnder(p, '/usr')));
  const info: PythonInstall = { executable, roots, binDir: dirname(exe) };
  pythonCache.set(cmd, info);
  return info;
}

function isUnder(p: string, dir: string): boolean {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Drops paths lying under another one of the list. */
function minimalRoots(paths: string[]): string[] {
  const uniq = [...new Set(paths)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const p of uniq) if (!out.some((o) => isUnder(p, o))) out.push(p);
  return out;
}

/** Hands out distinct solver uids to concurrent runs of this process. */
export class UidPool {
  private readonly used = new Set<number>();
  constructor(
    readonly base: number,
    readonly count: number,
  ) {}
  acquire(): number {
    if (this.used.size >= this.count) throw new Error('bwrap runner: no free sandbox uid');
    // Random start: several judge processes on one host rarely pick the same uid.
    let slot = Math.floor(Math.random() * this.count);
    while (this.used.has(this.base + slot)) slot = (slot + 1) % this.count;
    this.used.add(this.base + slot);
    return this.base + slot;
  }
  release(uid: number): void {
    this.used.delete(uid);
  }
}

const DEFAULT_UID_BASE = 2_000_000;
const DEFAULT_UID_COUNT = 65_536;

const pools = new Map<string, UidPool>();
/** One pool per uid range in this process, shared by all runners using that range. */
function uidPool(base: number, count: number): UidPool {
  const key = `${base}:${count}`;
  let pool = pools.get(key);
  if (!pool) pools.set(key, (pool = new UidPool(base, count)));
  return pool;
}

const MB = 1024 * 1024;

/** Read-only system binds: /usr and the merged-usr links (or dirs) at the root, a few /etc files. */
function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const p of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else if (st.isDirectory()) args.push('--ro-bind', p, p);
  }
  args.push('--perms', '0755', '--dir', '/etc');
  for (const p of ['/etc/ld.so.cache', '/etc/localtime']) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else args.push('--ro-bind', p, p);
  }
  return args;
}

/** Binds `dir` read-only at its host path; its ancestors become empty 0755 directories. */
function roBindAtSamePath(dir: string): string[] {
  const args: string[] = [];
  const parts = dir.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const anc = `/${parts.slice(0, i).join('/')}`;
    if (anc === '/usr' || anc.startsWith('/usr/')) continue;
    args.push('--perms', '0755', '--dir', anc);
  }
  args.push('--ro-bind', dir, dir);
  return args;
}

export interface BwrapPlanContext {
  uid: number;
  gid: number;
  python: PythonInstall | null;
  /** fd numbers handed to bwrap (see LaunchPlan.extraFds): info (child pid) and seccomp program. */
  infoFd?: number;
  seccompFd?: number;
  /** Absolute paths of prlimit and setpriv (they must be visible in the sandbox, i.e. under /usr). */
  prlimit?: string;
  setpriv?: string;
}

/** Full bwrap argv (without the executable) for a run. Pure apart from reading the host's root links. */
export function bwrapArgs(spec: RunSpec, opts: BwrapOptions, ctx: BwrapPlanContext): string[] {
  const { limits } = spec;
  if (!isAbsolute(spec.workDir)) throw new Error(`workDir must be absolute: ${spec.workDir}`);
  for (const [k, v] of Object.entries({
    timeSec: limits.timeSec,
    memoryMb: limits.memoryMb,
    cpus: limits.cpus,
    pids: limits.pids ?? 1,
    fileSizeMb: limits.fileSizeMb ?? 1,
  })) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`limits.${k} must be a positive number, got ${v}`);
  }
  if (spec.argv.length === 0) throw new Error('argv is empty');
  const tmpMb = Math.max(1, Math.ceil(opts.tmpSizeMb ?? limits.memoryMb / 2));
  const shmMb = Math.max(1, Math.ceil(opts.shmSizeMb ?? 64));
  const threads = String(Math.max(1, Math.ceil(limits.cpus)));
  const pathDirs = [...(ctx.python ? [ctx.python.binDir] : []), '/usr/local/bin', '/usr/bin', '/bin'];

  const args = [
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'arena',
    '--die-with-parent',
    '--new-session',
    ...systemBinds(),
  ];
  for (const root of minimalRoots([...(ctx.python?.roots ?? []), ...(opts.extraRoBinds ?? [])])) {
    args.push(...roBindAtSamePath(root));
  }
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--size',
    String(shmMb * MB),
    '--tmpfs',
    '/dev/shm',
    '--perms',
    '1777',
    '--size',
    String(tmpMb * MB),
    '--tmpfs',
    '/tmp',
    '--bind',
    spec.workDir,
    SANDBOX_WORKDIR,
    '--remount-ro',
    '/',
    '--chdir',
    SANDBOX_WORKDIR,
    '--clearenv',
    '--setenv',
    'PATH',
    pathDirs.join(':'),
    '--setenv',
    'HOME',
    '/tmp',
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'USER',
    'solver',
    // Thread pools sized to the CPU share (also keeps their reservations under RLIMIT_AS).
    '--setenv',
    'OMP_NUM_THREADS',
    threads,
    '--setenv',
    'OPENBLAS_NUM_THREADS',
    threads,
    '--setenv',
    'MKL_NUM_THREADS',
    threads,
  );
  if (ctx.infoFd !== undefined) args.push('--info-fd', String(ctx.infoFd));
  if (ctx.seccompFd !== undefined) args.push('--seccomp', String(ctx.seccompFd));

  const asBytes = (Math.ceil(limits.memoryMb) + (opts.addressSpaceHeadroomMb ?? 256)) * MB;
  const cpuSec = Math.ceil(limits.timeSec * Math.max(limits.cpus, 1)) + 1;
  const fsize = Math.ceil((limits.fileSizeMb ?? opts.fileSizeMb ?? DEFAULT_FILE_SIZE_MB) * MB);
  args.push(
    '--',
    ctx.prlimit ?? '/usr/bin/prlimit',
    `--as=${asBytes}`,
    `--cpu=${cpuSec}`,
    `--nproc=${limits.pids ?? DEFAULT_PIDS}`,
    `--fsize=${fsize}`,
    `--nofile=${opts.nofile ?? 256}`,
    '--core=0',
    '--',
    ctx.setpriv ?? '/usr/bin/setpriv',
    `--reuid=${ctx.uid}`,
    `--regid=${ctx.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    ...spec.argv,
  );
  return args;
}

function findTool(name: string): string | null {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

export interface BwrapCheck {
  ok: boolean;
  message: string;
}

/** Whether the bwrap runner can work on this host (bwrap, prlimit, setpriv present; root). */
export function checkBwrap(opts: BwrapOptions = {}): BwrapCheck {
  const bwrap = opts.bwrapPath ?? 'bwrap';
  const v = spawnSync(bwrap, ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) {
    return {
      ok: false,
      message: `bubblewrap (${bwrap}) is not installed or does not run: ${v.error?.message ?? v.stderr}. Install it (apt-get install bubblewrap) or use the docker runner.`,
    };
  }
  for (const tool of ['prlimit', 'setpriv']) {
    const p = findTool(tool);
    if (!p?.startsWith('/usr/')) return { ok: false, message: `bwrap runner needs ${tool} (util-linux) under /usr` };
  }
  if (!canChown()) {
    return {
      ok: false,
      message: 'bwrap runner must run as root (it starts each solver under its own unprivileged uid, which is what makes RLIMIT_NPROC effective)',
    };
  }
  // The features the runner relies on (--perms/--size need bwrap >= 0.8).
  const probe = spawnSync(
    bwrap,
    [
      '--unshare-pid',
      '--unshare-net',
      '--unshare-ipc',
      '--unshare-uts',
      ...systemBinds(),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--perms',
      '1777',
      '--size',
      String(MB),
      '--tmpfs',
      '/tmp',
      '--remount-ro',
      '/',
      '--',
      '/usr/bin/true',
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status !== 0) return { ok: false, message: `bwrap cannot create a sandbox here: ${probe.stderr || probe.error?.message}` };
  return { ok: true, message: v.stdout.trim() };
}

let warnedNoSeccomp = false;
/** Runs this process started: each run's cgroup name is its own, whatever its uid. */
let runCount = 0;

/** Tasks of the sandbox besides the solver's: bwrap itself and the pid namespace's init. */
const SANDBOX_OWN_TASKS = 2;
/** sh -c: join the run's cgroups (their cgroup.procs files are $1 and $2), then become the sandbox. */
const JOIN_AND_EXEC = 'echo $$ > "$1" && echo $$ > "$2" && shift 2 && exec "$@"';

export class BwrapRunner implements Runner {
  readonly kind = 'bwrap' as const;
  private readonly uids: UidPool;
  private readonly prlimit: string;
  private readonly setpriv: string;
  private python: PythonInstall | null | undefined;
  private readonly seccomp: Uint8Array | null;

  constructor(private readonly opts: BwrapOptions = {}) {
    const base = opts.uidBase ?? DEFAULT_UID_BASE;
    const count = opts.uidCount ?? DEFAULT_UID_COUNT;
    if (!Number.isInteger(base) || !Number.isInteger(count) || base < 1000 || count < 1 || base + count > 2 ** 32 - 2) {
      throw new Error(`bwrap runner: bad uid range ${base}+${count}`);
    }
    if (opts.uid !== undefined && (!Number.isInteger(opts.uid) || opts.uid <= 0)) throw new Error(`bwrap runner: bad uid ${opts.uid}`);
    this.uids = uidPool(base, count);
    this.prlimit = findTool('prlimit') ?? '/usr/bin/prlimit';
    this.setpriv = findTool('setpriv') ?? '/usr/bin/setpriv';
    this.seccomp = opts.seccomp === false ? null : seccompFilter();
    if (opts.seccomp !== false && !this.seccomp && !warnedNoSeccomp) {
      warnedNoSeccomp = true;
      process.stderr.write(`bwrap runner: no seccomp filter for ${process.arch}; solvers may create user namespaces\n`);
    }
  }

  pathInside(_workDir: string, relPath: string): string {
    return posix.join(SANDBOX_WORKDIR, relPath);
  }

  private pythonInstall(): PythonInstall | null {
    if (this.python === undefined) this.python = this.opts.python === false ? null : detectPython(this.opts.python ?? 'python3');
    return this.python;
  }

  async run(spec: RunSpec): Promise<RunResult> {
    if (!canChown()) throw new Error('bwrap runner must run as root (see checkBwrap())');
    const uid = this.opts.uid ?? this.uids.acquire();
    try {
      await chownTree(spec.workDir, uid, uid);
      let nsInit: number | undefined;
      let fallback: NodeJS.Timeout | undefined;
      let info = '';
      const extraFds: ExtraFd[] = [
        {
          output: (c) => {
            if (nsInit !== undefined || info.length > 65536) return;
            info += c.toString('utf8');
            const m = /"child-pid"\s*:\s*(\d+)/.exec(info);
            if (m) nsInit = Number(m[1]);
          },
        },
      ];
      if (this.seccomp) extraFds.push({ input: this.seccomp });
      const args = bwrapArgs(spec, this.opts, {
        uid,
        gid: uid,
        python: this.pythonInstall(),
        infoFd: 3,
        seccompFd: this.seccomp ? 4 : undefined,
        prlimit: this.prlimit,
        setpriv: this.setpriv,
      });
      // The whole tree's memory and tasks, counted in cgroups the leader joins before it becomes bwrap.
      const bwrap = this.opts.bwrapPath ?? 'bwrap';
      const cgroup = createRunCgroup(`arena-run-${process.pid}-${++runCount}`, {
        memoryBytes: Math.ceil(spec.limits.memoryMb * MB),
        pids: (spec.limits.pids ?? DEFAULT_PIDS) + SANDBOX_OWN_TASKS,
      });
      const plan: LaunchPlan = {
        command: cgroup ? '/bin/sh' : bwrap,
        args: cgroup ? ['-c', JOIN_AND_EXEC, 'sh', ...cgroup.procsFiles, bwrap, ...args] : args,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        extraFds,
        killTree: (child: ChildProcess) => {
          // Killing the namespace's init takes every process of the sandbox with it; bwrap
          // (the leader) exits once init is reaped, i.e. once the sandbox is empty.
          if (nsInit !== undefined && child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(nsInit, 'SIGKILL');
            } catch {
              // already gone
            }
            fallback = setTimeout(() => killProcessGroup(child), 1000);
          } else {
            // Before bwrap reported its child: --die-with-parent takes the sandbox down with bwrap.
            killProcessGroup(child);
          }
        },
        afterExit: () => clearTimeout(fallback),
      };
      try {
        const result = await runCaptured(plan, { timeSec: spec.limits.timeSec, outputCapBytes: spec.outputCapBytes, signal: spec.signal });
        // As docker reported a container over its memory: killed, 137 (the judge's "Killed (Out of memory)").
        return cgroup?.oomKilled() && !result.timedout ? { ...result, exitcode: 137 } : result;
      } finally {
        await cgroup?.remove();
      }
    } finally {
      if (this.opts.uid === undefined) this.uids.release(uid);
    }
  }
}
