import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { killProcessGroup, runCaptured } from './spawn.js';
import { DEFAULT_PIDS, SANDBOX_WORKDIR, type RunResult, type RunSpec, type Runner } from './types.js';
import { canChown, chownTree } from './workdir.js';

export interface DockerOptions {
  /** Image with python3 (e.g. `python:3.11-slim`). */
  image: string;
  /** docker CLI executable; default `docker`. */
  dockerPath?: string;
  /** Container name; default `arena-run-<uuid>` (used to `docker kill` it). */
  name?: string;
  /** `--user` value, `uid:gid`; default `65534:65534` (nobody). The work dir is given to it. */
  user?: string;
  /** `--memory-swap` as a multiple of the memory limit; default 1.5. */
  memorySwapFactor?: number;
  /** Size of the /tmp tmpfs; default `1g`. */
  tmpfsSize?: string;
  /** Drop all capabilities and set no-new-privileges; default true. */
  harden?: boolean;
  /** Extra `docker run` options, placed before the image. */
  extraArgs?: string[];
}

const DEFAULT_DOCKER_USER = '65534:65534';

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
 * `docker` CLI arguments (starting with `run`, without the executable) for one run:
 * `run --rm --name N --network none --memory Mm --memory-swap 1.5Mm --cpus C --pids-limit P
 *  --read-only --tmpfs /tmp:rw,size=1g --user U -v <workDir>:/box:rw -w /box [...] <image> ...argv`.
 */
export function dockerArgs(spec: RunSpec, opts: DockerOptions & { name: string }): string[] {
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

  const args = [
    'run',
    '--rm',
    '--name',
    opts.name,
    '--network',
    'none',
    '--memory',
    `${memMb}m`,
    '--memory-swap',
    `${swapMb}m`,
    '--cpus',
    decimal(limits.cpus, 'cpus'),
    '--pids-limit',
    String(pids),
    '--read-only',
    '--tmpfs',
    `/tmp:rw,size=${opts.tmpfsSize ?? '1g'}`,
    '--user',
    user,
    '-v',
    `${spec.workDir}:${SANDBOX_WORKDIR}:rw`,
    '-w',
    SANDBOX_WORKDIR,
  ];
  if (limits.fileSizeMb !== undefined) {
    const bytes = positiveInt(limits.fileSizeMb * 1024 * 1024, 'fileSizeMb');
    args.push('--ulimit', `fsize=${bytes}:${bytes}`);
  }
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

/**
 * Docker runner: the limits of the original judge (cgroup memory/cpu/pids, no network,
 * read-only rootfs, tmpfs /tmp). At the wall limit `docker kill <name>` stops the container
 * (killing the CLI alone would leave it running).
 */
export class DockerRunner implements Runner {
  readonly kind = 'docker' as const;

  constructor(private readonly opts: DockerOptions) {}

  pathInside(_workDir: string, relPath: string): string {
    return posix.join(SANDBOX_WORKDIR, relPath);
  }

  async run(spec: RunSpec): Promise<RunResult> {
    const docker = this.opts.dockerPath ?? 'docker';
    const name = this.opts.name ?? `arena-run-${randomUUID()}`;
    const args = dockerArgs(spec, { ...this.opts, name });
    const user = this.opts.user ?? DEFAULT_DOCKER_USER;
    const m = /^(\d+)(?::(\d+))?$/.exec(user);
    if (m && canChown()) await chownTree(spec.workDir, Number(m[1]), Number(m[2] ?? m[1]));
    else await openTree(spec.workDir);

    let fallback: NodeJS.Timeout | undefined;
    let retry: NodeJS.Timeout | undefined;
    return runCaptured(
      {
        command: docker,
        args,
        env: process.env,
        killTree: (client: ChildProcess) => {
          // The container may not exist yet (killed right at start): retry while the client runs.
          let tries = 0;
          const attempt = () => {
            const k = spawn(docker, ['kill', name], { stdio: 'ignore' });
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
  }
}
