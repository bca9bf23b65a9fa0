import { spawn, type ChildProcess, type StdioNull, type StdioPipe } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { TailBuffer } from './capture.js';
import { DEFAULT_OUTPUT_CAP, type RunResult } from './types.js';

/** An extra descriptor handed to the child as fd 3, 4, ... */
export type ExtraFd =
  /** The child reads these bytes (then EOF) from the fd. */
  | { input: Uint8Array }
  /** The child writes to the fd; chunks are passed on. */
  | { output: (chunk: Buffer) => void };

/** What a runner wants started: the only part that differs between runners. */
export interface LaunchPlan {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  extraFds?: ExtraFd[];
  /**
   * Kills everything the run started (timeout or abort). Called with the spawned (leader)
   * process, which is the leader of its own process group. Default: SIGKILL to that group.
   */
  killTree?: (child: ChildProcess) => void;
  /** Called once the leader has exited, before `run` resolves (e.g. to reap stragglers). */
  afterExit?: (child: ChildProcess) => void;
}

export interface CaptureOptions {
  timeSec: number;
  outputCapBytes?: number;
  signal?: AbortSignal;
}

/** Whether a process with this pid is alive (EPERM: it is, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILL to the process group led by `child` (it was spawned detached, so pgid = pid). */
export function killProcessGroup(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Exit status as a shell/docker would report it: the code, or 128 + signal number. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (osConstants.signals[signal] ?? 0);
  return -1;
}

/** How long output pipes may stay open after the leader exited. */
const STRAGGLER_GRACE_MS = 2000;

const O_CLOEXEC = 0o2000000;

/**
 * Descriptors (>= 3) this process inherited without close-on-exec: every child would inherit
 * them too (libuv does not close them), so a sandbox could write to, say, a supervisor's pipe.
 */
function inheritableFds(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  const fds: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) fds.push(fd);
    } catch {
      // closed meanwhile (e.g. the fd readdir used)
    }
  }
  return fds;
}

let devNull: number | undefined;

/** stdio for spawn: stdin closed, stdout/stderr/extra pipes, inherited leaks replaced by /dev/null. */
function stdioFor(extraCount: number): Array<StdioNull | StdioPipe | number> {
  const stdio: Array<StdioNull | StdioPipe | number> = ['ignore', 'pipe', 'pipe'];
  for (let i = 0; i < extraCount; i++) stdio.push('pipe');
  for (const fd of inheritableFds()) {
    if (fd < stdio.length) continue;
    devNull ??= openSync('/dev/null', 'r+');
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = devNull;
  }
  return stdio;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The run was aborted'), { name: 'AbortError' });
}

/**
 * Spawns the plan in its own session/process group with stdin closed, keeps the last
 * `outputCapBytes` of stdout and stderr, kills the tree at the wall-clock limit (timedout,
 * exitcode -1) or on abort (then rejects with the signal's reason), and resolves only when
 * the leader has exited and every holder of its stdout/stderr is gone.
 */
export function runCaptured(plan: LaunchPlan, opts: CaptureOptions): Promise<RunResult> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (!Number.isFinite(opts.timeSec) || opts.timeSec <= 0 || opts.timeSec * 1000 > 2 ** 31 - 1) {
    return Promise.reject(new RangeError(`timeSec must be a positive number, got ${opts.timeSec}`));
  }
  const cap = opts.outputCapBytes ?? DEFAULT_OUTPUT_CAP;
  const out = new TailBuffer(cap);
  const err = new TailBuffer(cap);
  const extra = plan.extraFds ?? [];

  return new Promise<RunResult>((resolve, reject) => {
    const stdio = stdioFor(extra.length);
    const start = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(plan.command, plan.args, {
        cwd: plan.cwd,
        env: plan.env,
        stdio,
        detached: true, // setsid(): own session and process group, so the tree can be killed
        windowsHide: true,
      });
    } catch (e) {
      reject(e);
      return;
    }
    let end: number | undefined;
    let timedout = false;
    let aborted = false;
    let killed = false;
    let settled = false;

    const kill = () => {
      if (killed) return;
      killed = true;
      try {
        (plan.killTree ?? killProcessGroup)(child);
      } catch {
        killProcessGroup(child);
      }
    };
    const timer = setTimeout(() => {
      timedout = true;
      kill();
    }, opts.timeSec * 1000);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };

    child.stdout!.on('data', (c: Buffer) => out.write(c));
    child.stderr!.on('data', (c: Buffer) => err.write(c));
    extra.forEach((fd, i) => {
      const stream = child.stdio[3 + i];
      if ('input' in fd) {
        const w = stream as Writable;
        w.on('error', () => {}); // the child may close it without reading
        w.end(fd.input);
      } else {
        const r = stream as Readable;
        r.on('data', (c: Buffer) => fd.output(c));
        r.on('error', () => {});
      }
    });

    child.on('error', (e) => {
      // Spawn failure (e.g. ENOENT): there is no process to wait for.
      if (settled || child.pid !== undefined) return;
      settled = true;
      finish();
      reject(e);
    });
    child.on('exit', () => {
      end ??= performance.now();
      clearTimeout(timer);
      // Whatever still holds our pipes after the leader exited (only possible without a pid
      // namespace, e.g. a daemon that left the process group) must not keep us waiting.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, STRAGGLER_GRACE_MS).unref();
      try {
        plan.afterExit?.(child);
      } catch {
        // best effort
      }
    });
    child.on('close', (code, sig) => {
      end ??= performance.now();
      finish();
      if (settled) return;
      settled = true;
      if (aborted && signal) {
        reject(abortError(signal));
        return;
      }
      resolve({
        timedout,
        exitcode: timedout ? -1 : exitStatus(code, sig),
        stdout: out.text(),
        stderr: err.text(),
        outOverflow: out.overflow,
        errOverflow: err.overflow,
        time: (end - start) / 1000,
      });
    });
  });
}
