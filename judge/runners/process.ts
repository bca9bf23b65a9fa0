import { isAbsolute, join } from 'node:path';
import { killProcessGroup, runCaptured } from './spawn.js';
import type { RunResult, RunSpec, Runner } from './types.js';

let warned = false;

function warnOnce(): void {
  if (warned) return;
  warned = true;
  process.stderr.write(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '!! WARNING: judge runner "process" - solvers run as plain child processes, NOTHING IS SANDBOXED.',
      '!! They can read and write anything this user can, use the network, and exhaust memory/processes.',
      '!! Use it for development only; use the "bwrap" or "docker" runner for real submissions.',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '',
    ].join('\n'),
  );
}

export interface ProcessRunnerOptions {
  /** Environment for the solver; default PATH from this process, HOME = the work dir, LANG = C.UTF-8. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Development runner: the argv runs as a plain child process (own session/process group, cwd =
 * the work dir) with the same wall-clock kill, output capture and exit semantics as the
 * sandboxes; when the main process exits, the rest of its process group is killed (as a
 * container's would be). No isolation and no resource limits at all.
 */
export class ProcessRunner implements Runner {
  readonly kind = 'process' as const;

  constructor(private readonly opts: ProcessRunnerOptions = {}) {}

  pathInside(workDir: string, relPath: string): string {
    return join(workDir, relPath);
  }

  run(spec: RunSpec): Promise<RunResult> {
    warnOnce();
    if (!isAbsolute(spec.workDir)) return Promise.reject(new Error(`workDir must be absolute: ${spec.workDir}`));
    const [command, ...args] = spec.argv;
    if (command === undefined) return Promise.reject(new Error('argv is empty'));
    return runCaptured(
      {
        command,
        args,
        cwd: spec.workDir,
        env: this.opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: spec.workDir, LANG: 'C.UTF-8' },
        afterExit: (child) => killProcessGroup(child),
      },
      { timeSec: spec.limits.timeSec, outputCapBytes: spec.outputCapBytes, signal: spec.signal },
    );
  }
}
