/**
 * Sandboxed execution of one solver run.
 *
 * Work dir convention
 * -------------------
 * The caller unpacks the solver into a host directory (see `judge/unpack.ts`), writes the
 * instance file there (`data.dat`), and passes that directory as `RunSpec.workDir`.
 * Every runner starts the program with its working directory set to the work dir, but the
 * path under which the work dir is visible differs:
 *
 *  - `bwrap` and `docker` bind it at {@link SANDBOX_WORKDIR} (`/box`), writable; it is the only
 *    writable place besides a private, size-limited `/tmp` (and `/dev/shm`).
 *  - `process` (development only, no isolation) runs in the host directory itself.
 *
 * Build argv paths with `runner.pathInside(workDir, relPath)` (or {@link carpArgv}), never
 * with the host path, so the same argv works for every runner.
 */

/** Where the work dir is mounted inside the bwrap and docker sandboxes (also the cwd). */
export const SANDBOX_WORKDIR = '/box';

/** Name of the instance file the caller writes into the work dir. */
export const INSTANCE_FILE = 'data.dat';

/** Default number of bytes kept of stdout and of stderr (the LAST bytes). */
export const DEFAULT_OUTPUT_CAP = 256 * 1024;

export const DEFAULT_PIDS = 64;

/** Default {@link RunLimits.fileSizeMb}. */
export const DEFAULT_FILE_SIZE_MB = 64;

export interface RunLimits {
  /** Wall-clock limit in seconds (the run is killed at this point: `timedout`, exitcode -1). */
  timeSec: number;
  /** Memory limit in MB. */
  memoryMb: number;
  /** CPUs (may be fractional for docker). */
  cpus: number;
  /** Max processes + threads. Default {@link DEFAULT_PIDS}. */
  pids?: number;
  /** Max size of one written file in MB (bwrap rlimit, docker ulimit). Default {@link DEFAULT_FILE_SIZE_MB}. */
  fileSizeMb?: number;
}

export interface RunSpec {
  /** Absolute host dir holding the unpacked solver; the only writable place besides a private /tmp. */
  workDir: string;
  /** Program and arguments, run with cwd = the work dir, e.g. `['python3','CARP_solver.py','/box/data.dat','-t','10','-s','42']`. */
  argv: string[];
  limits: RunLimits;
  /** Bytes kept of each of stdout and stderr; default {@link DEFAULT_OUTPUT_CAP}. */
  outputCapBytes?: number;
  /** Aborting kills the whole process tree; `run()` then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** The wall-clock limit was hit and the run was killed (exitcode is then -1). */
  timedout: boolean;
  /** Exit status; 128+N when killed by signal N (137 = SIGKILL, as docker reports); -1 on timeout. */
  exitcode: number;
  /** The last `outputCapBytes` bytes of stdout, decoded as UTF-8. */
  stdout: string;
  stderr: string;
  /** More than `outputCapBytes` bytes were written to stdout (only the tail is kept). */
  outOverflow: boolean;
  errOverflow: boolean;
  /** Wall time in seconds, from just before the sandbox is spawned until it has exited. */
  time: number;
}

export type RunnerKind = 'bwrap' | 'docker' | 'process';

export interface Runner {
  readonly kind: RunnerKind;
  /** Path at which `workDir/relPath` is seen by the sandboxed program. */
  pathInside(workDir: string, relPath: string): string;
  run(spec: RunSpec): Promise<RunResult>;
}

/** argv of a CARP solver run: `python3 CARP_solver.py <instance> -t <time> -s <seed>`. */
export function carpArgv(
  runner: Pick<Runner, 'pathInside'>,
  workDir: string,
  opts: { timeSec: number; seed: number; instanceFile?: string; python?: string },
): string[] {
  return [
    opts.python ?? 'python3',
    'CARP_solver.py',
    runner.pathInside(workDir, opts.instanceFile ?? INSTANCE_FILE),
    '-t',
    String(opts.timeSec),
    '-s',
    String(opts.seed),
  ];
}
