import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { isAlive, killProcessGroup, runCaptured } from './spawn.js';
import { DEFAULT_FILE_SIZE_MB, DEFAULT_PIDS, SANDBOX_WORKDIR, type RunResult, type RunSpec, type Runner } from './types.js';
import { canChown, chownTree } from './workdir.js';

export interface DockerOptions {
  /** Image with python3 (e.g. `python:3.11-slim`). */
  image: string;
  /** docker CLI executable; default `docker`. */
  dockerPath?: string;
  /** Daemon to use (`docker -H`, e.g. `unix:///run/docker.sock`); default: the CLI's own (DOCKER_HOST, context). */
  host?: string;
  /** Container name; default `arena-run-<uuid>` (a fixed one allows one run at a time). */
  name?: string;
  /** `--user` value, `uid:gid`; default `65534:65534` (nobody). The work dir is given to it. */
  user?: string;
  /** `--memory-swap` as a multiple of the memory limit; default 1.5. */
  memorySwapFactor?: number;
  /** Size of the /tmp tmpfs; default half the memory limit (its pages count as the container's memory). */
  tmpfsSize?: string;
  /** Drop all capabilities and set no-new-privileges; default true. */
  harden?: boolean;
  /** Extra `docker create` options, placed before the image. */
  extraArgs?: string[];
}

const DEFAULT_DOCKER_USER = '65534:65534';

/** docker-init (`--init`) is a task of the container besides the solver's. */
const INIT_TASKS = 1;

/** Longest wait for one docker call other than the run itself (create, inspect, rm). */
const DOCKER_CALL_TIMEOUT_MS = 60_000;

const exec = promisify(execFile);

/** Label naming the judge process (`<hostname>:<pid>`) that created a container. */
export const OWNER_LABEL = 'arena.judge';

const runOwner = () => `${hostname()}:${process.pid}`;

const CPUS_RE = /^\d+(\.\d+)?$/;

/** Formats a positive number for docker (`--cpus 1.5`), without exponent notation. */
function decimal(n: number, what: string): string {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a positive number, got ${n}`);
  const s = Number(n.toFixed(3)).toString();
  if (!CPUS_RE.test(s)) throw new Error(`${what} cannot be expressed for docker: ${n}`);
  return s;
}

function positiveInt(n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be positive, got ${n}`);
  return Math.ceil(n);
}

/**
 * `docker` CLI arguments (starting with `create`, without the executable) for one run:
 * `create --name N --init --log-driver none --network none --memory Mm --memory-swap 1.5Mm --cpus C
 *  --pids-limit P+1 --read-only --tmpfs /tmp:rw,size=M/2m --user U -v <workDir>:/box:rw -w /box
 *  --ulimit fsize=F:F [...] <image> ...argv`. `hostCpus` (the daemon host's count) caps `--cpus`,
 * which docker refuses above it.
 */
export function dockerArgs(spec: RunSpec, opts: DockerOptions & { name: string; hostCpus?: number }): string[] {
  const { limits } = spec;
  if (!opts.image || opts.image.startsWith('-')) throw new Error(`invalid docker image: ${JSON.stringify(opts.image)}`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(opts.name)) throw new Error(`invalid container name: ${JSON.stringify(opts.name)}`);
  if (!isAbsolute(spec.workDir)) throw new Error(`workDir must be absolute: ${spec.workDir}`);
  // `-v` splits on ':'; a comma would also break `--mount`. Our temp dirs never contain them.
  if (/[:,\n]/.test(spec.workDir)) throw new Error(`workDir cannot be bind-mounted by docker: ${spec.workDir}`);
  if (spec.argv.length === 0) throw new Error('argv is empty');
  const user = opts.user ?? DEFAULT_DOCKER_USER;
  if (!/^\d+(:\d+)?$|^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$/.test(user)) throw new Error(`invalid docker user: ${user}`);

  const memMb = positiveInt(limits.memoryMb, 'memoryMb');
  const swapMb = Math.ceil(memMb * (opts.memorySwapFactor ?? 1.5));
  if (swapMb < memMb) throw new Error('memorySwapFactor must be >= 1');
  const pids = positiveInt(limits.pids ?? DEFAULT_PIDS, 'pids');
  const cpus = decimal(opts.hostCpus === undefined ? limits.cpus : Math.min(limits.cpus, opts.hostCpus), 'cpus');
  const fsize = positiveInt((limits.fileSizeMb ?? DEFAULT_FILE_SIZE_MB) * 1024 * 1024, 'fileSizeMb');

  const args = [
    'create',
    '--name',
    opts.name,
    // Whose run it is: a judge that starts removes the containers of dead judges of its host.
    '--label',
    `${OWNER_LABEL}=${runOwner()}`,
    // PID 1 of a pid namespace ignores every signal it has no handler for, even its own SIGKILL:
    // with docker-init as PID 1 the solver dies of its signals as anywhere else (128+N).
    '--init',
    // The output goes to the attached client only, not also into a log file on the daemon's disk.
    '--log-driver',
    'none',
    '--network',
    'none',
    '--memory',
    `${memMb}m`,
    '--memory-swap',
    `${swapMb}m`,
    '--cpus',
    cpus,
    '--pids-limit',
    String(pids + INIT_TASKS),
    '--read-only',
    '--tmpfs',
    `/tmp:rw,size=${opts.tmpfsSize ?? `${Math.ceil(memMb / 2)}m`}`,
    '--user',
    user,
    '-v',
    `${spec.workDir}:${SANDBOX_WORKDIR}:rw`,
    '-w',
    SANDBOX_WORKDIR,
    '--ulimit',
    `fsize=${fsize}:${fsize}`,
  ];
  if (opts.harden ?? true) args.push('--cap-drop', 'ALL', '--security-opt', 'no-new-privileges');
  args.push(...(opts.extraArgs ?? []), opts.image, ...spec.argv);
  return args;
}

/** Makes a work dir writable for a container user when we cannot chown (not root). */
async function openTree(dir: string): Promise<void> {
  const st = await lstat(dir);
  if (st.isSymbolicLink()) return;
  await chmod(dir, st.isDirectory() ? 0o777 : 0o666);
  if (!st.isDirectory()) return;
  for (const e of await readdir(dir)) await openTree(join(dir, e));
}

/** The part of `docker container inspect`'s State the runner reads. */
interface ContainerState {
  Status: string;
  Error: string;
  OOMKilled: boolean;
}

/**
 * Docker runner: the limits of the original judge (cgroup memory/cpu/pids, no network,
 * read-only rootfs, tmpfs /tmp). Each run is `docker create`, then `docker start --attach`
 * (the wall clock covers only the latter), then `docker rm --force`: the container exists
 * before it starts, so the wall limit always finds it to kill, and it outlives its exit long
 * enough for the engine to tell whether the OOM killer hit any of its processes.
 */
export class DockerRunner implements Runner {
  readonly kind = 'docker' as const;
  private hostCpus: Promise<number> | undefined;
  private swept: Promise<void> | undefined;

  constructor(private readonly opts: DockerOptions) {}

  pathInside(_workDir: string, relPath: string): string {
    return posix.join(SANDBOX_WORKDIR, relPath);
  }

  async run(spec: RunSpec): Promise<RunResult> {
    spec.signal?.throwIfAborted();
    const docker = this.opts.dockerPath ?? 'docker';
    const name = this.opts.name ?? `arena-run-${randomUUID()}`;
    this.swept ??= this.removeOrphans();
    await this.swept;
    const args = dockerArgs(spec, { ...this.opts, name, hostCpus: await this.cpusOfHost() });
    const user = this.opts.user ?? DEFAULT_DOCKER_USER;
    const m = /^(\d+)(?::(\d+))?$/.exec(user);
    if (m && canChown()) await chownTree(spec.workDir, Number(m[1]), Number(m[2] ?? m[1]));
    else await openTree(spec.workDir);

    let fallback: NodeJS.Timeout | undefined;
    let retry: NodeJS.Timeout | undefined;
    try {
      // Refused here (unknown image, limits the engine rejects...), nothing ran: an error, not the solver's exit code.
      await this.call(args);
      const result = await runCaptured(
        {
          command: docker,
          args: this.cli(['start', '--attach', name]),
          env: process.env,
          killTree: (client: ChildProcess) => {
            // The attached client exits with its container. Killed, not removed: a removal still in
            // progress would make the one below fail. Retried while the client runs (a container
            // still being started is "not running").
            let tries = 0;
            const attempt = () => {
              const k = spawn(docker, this.cli(['kill', name]), { stdio: 'ignore' });
              k.on('error', () => killProcessGroup(client));
              k.on('close', (code) => {
                if (code !== 0 && client.exitCode === null && client.signalCode === null && ++tries < 10) {
                  retry = setTimeout(attempt, 500);
                }
              });
            };
            attempt();
            // If the daemon does not answer, at least do not wait on the client forever.
            fallback = setTimeout(() => killProcessGroup(client), 10_000);
          },
          afterExit: () => {
            clearTimeout(fallback);
            clearTimeout(retry);
          },
        },
        { timeSec: spec.limits.timeSec, outputCapBytes: spec.outputCapBytes, signal: spec.signal },
      );
      if (result.timedout) return result;
      const state = JSON.parse(await this.call(['inspect', '--type', 'container', '--format', '{{json .State}}', name])) as ContainerState;
      if (state.Status === 'created')
        throw new Error(`docker runner: the engine did not start the container: ${state.Error || result.stderr.trim()}`);
      // The OOM killer hit a process of the container (maybe a forked child while the main one
      // exited 0): killed, 137, as docker reported the original judge's container.
      return state.OOMKilled ? { ...result, exitcode: 137 } : result;
    } finally {
      await this.remove(name);
    }
  }

  private cli(args: string[]): string[] {
    return this.opts.host ? ['-H', this.opts.host, ...args] : args;
  }

  /** `docker args...`: its stdout; rejects with docker's own message. */
  private async call(args: string[]): Promise<string> {
    try {
      const { stdout } = await exec(this.opts.dockerPath ?? 'docker', this.cli(args), { timeout: DOCKER_CALL_TIMEOUT_MS, encoding: 'utf8' });
      return stdout;
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new Error(`docker ${args[0]} failed: ${err.stderr?.trim() || err.message}`);
    }
  }

  /** Removes the container, killing it if it runs; one already gone is fine (some CLI versions exit 1 on it). */
  private async remove(name: string): Promise<void> {
    await this.call(['rm', '--force', name]).catch((e: Error) => {
      if (!/No such container/i.test(e.message)) throw e;
    });
  }

  /**
   * Removes the containers of this host's judges that died mid-run (SIGKILL, a crash): nothing
   * else would stop them, and a looping solver would run on forever. Done once, before the first run.
   */
  private async removeOrphans(): Promise<void> {
    const out = await this.call(['ps', '--all', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.Names}}\t{{.Label "${OWNER_LABEL}"}}`]);
    for (const line of out.split('\n').filter(Boolean)) {
      const [name = '', owner = ''] = line.split('\t');
      const at = owner.lastIndexOf(':');
      const pid = Number(owner.slice(at + 1));
      if (owner.slice(0, at) !== hostname() || !Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      await this.remove(name);
    }
  }

  /** CPUs of the daemon's host, asked once (again after a failure). */
  private cpusOfHost(): Promise<number> {
    this.hostCpus ??= this.call(['info', '--format', '{{.NCPU}}']).then((out) => {
      const n = Number(out.trim());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`docker info reported ${JSON.stringify(out.trim())} CPUs`);
      return n;
    });
    this.hostCpus.catch(() => {
      this.hostCpus = undefined;
    });
    return this.hostCpus;
  }
}
