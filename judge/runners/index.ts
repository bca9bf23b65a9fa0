import { spawnSync } from 'node:child_process';
import { BwrapRunner, checkBwrap, type BwrapOptions } from './bwrap.js';
import { DockerRunner, type DockerOptions } from './docker.js';
import { ProcessRunner, type ProcessRunnerOptions } from './process.js';
import type { Runner, RunnerKind } from './types.js';

export * from './types.js';
export { TailBuffer } from './capture.js';
export { BwrapRunner, bwrapArgs, checkBwrap, detectPython, type BwrapOptions, type BwrapCheck } from './bwrap.js';
export { DockerRunner, dockerArgs, type DockerOptions } from './docker.js';
export { ProcessRunner, type ProcessRunnerOptions } from './process.js';

export interface RunnerOptions {
  bwrap?: BwrapOptions;
  /** Required for the docker runner. */
  docker?: DockerOptions;
  process?: ProcessRunnerOptions;
}

/** A runner of the given kind. Throws a clear error when it cannot work on this host. */
export function createRunner(kind: RunnerKind, opts: RunnerOptions = {}): Runner {
  switch (kind) {
    case 'bwrap': {
      const check = checkBwrap(opts.bwrap);
      if (!check.ok) throw new Error(`bwrap runner unavailable: ${check.message}`);
      return new BwrapRunner(opts.bwrap);
    }
    case 'docker':
      if (!opts.docker?.image) throw new Error('docker runner needs an image (opts.docker.image)');
      return new DockerRunner(opts.docker);
    case 'process':
      return new ProcessRunner(opts.process);
    default:
      throw new Error(`unknown runner kind: ${String(kind)}`);
  }
}

/** Whether the docker daemon answers (the CLI alone is not enough). */
export function dockerAvailable(dockerPath = 'docker'): boolean {
  const r = spawnSync(dockerPath, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && r.stdout.trim() !== '';
}

/**
 * The best sandbox this host offers: bwrap, else docker (when an image is configured and the
 * daemon answers). Never falls back to the unsandboxed process runner unless `allowProcess`.
 */
export function availableRunner(opts: RunnerOptions & { allowProcess?: boolean } = {}): Runner {
  const reasons: string[] = [];
  const b = checkBwrap(opts.bwrap);
  if (b.ok) return new BwrapRunner(opts.bwrap);
  reasons.push(`bwrap: ${b.message}`);
  if (opts.docker?.image) {
    if (dockerAvailable(opts.docker.dockerPath)) return new DockerRunner(opts.docker);
    reasons.push('docker: the daemon does not answer');
  } else {
    reasons.push('docker: no image configured');
  }
  if (opts.allowProcess) return new ProcessRunner(opts.process);
  throw new Error(`no sandbox available for the judge:\n  ${reasons.join('\n  ')}`);
}
