import { BwrapRunner, checkBwrap, type BwrapOptions } from './bwrap.js';
import { DockerRunner, type DockerOptions } from './docker.js';
import { ProcessRunner, type ProcessRunnerOptions } from './process.js';
import type { Runner, RunnerKind } from './types.js';

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
