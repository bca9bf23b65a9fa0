// Verdict of one finished run: the original pre-checks (CaseUtils.checkResult), then the checker.

import { checkSolution, type CheckResult } from './checker.js';
import { parseInstance, type CarpInstance } from './instance.js';
import { shortestPaths, type ShortestPaths } from './paths.js';
import { parseSolution } from './solution.js';

/** Case statuses of the original judge that a check can end in. */
const CASE_FINISHED = 3;
const CASE_ERROR = 4;

export interface RunResult {
  timedout: boolean;
  exitcode: number;
  stdout: string;
}

export interface Verdict {
  status: typeof CASE_FINISHED | typeof CASE_ERROR;
  valid: boolean;
  cost: number;
  reason: string;
}

export interface PreparedInstance {
  instance: CarpInstance;
  paths: ShortestPaths;
}

/**
 * The whole report of a case that ends in ERROR without a run to show (an archive that cannot be
 * run, a judge or an old worker that gave up on it): nothing ran, `reason` says why.
 */
export function errorReport(reason: string) {
  return {
    timedout: false,
    stdout: '',
    outOverflow: false,
    stderr: '',
    errOverflow: false,
    time: 0,
    exitcode: 0,
    status: CASE_ERROR,
    valid: false,
    cost: 0,
    reason,
  } as const;
}

export function prepareInstance(text: string): PreparedInstance {
  const instance = parseInstance(text);
  return { instance, paths: shortestPaths(instance) };
}

const finished = (reason: string): Verdict => ({ status: CASE_FINISHED, valid: false, cost: 0, reason });

/**
 * Pre-checks in the original order, then `check(stdout)`; anything it throws becomes the
 * original's ERROR verdict. `check` is only called when the pre-checks pass.
 */
export function judgeVerdict(run: RunResult, check: (stdout: string) => CheckResult): Verdict {
  if (run.timedout) return finished('Timed out');
  if (run.exitcode === 137) return finished('Killed (Out of memory)');
  if (run.exitcode !== 0) return finished('Exit code is not zero');
  // Spring's StringUtils.isEmpty: null or "" only. Whitespace-only stdout is NOT "No output";
  // it goes to the checker like any other text (and fails there).
  if (run.stdout === '') return finished('No output');
  try {
    const { valid, cost, reason } = check(run.stdout);
    return { status: CASE_FINISHED, valid, cost, reason };
  } catch {
    return { status: CASE_ERROR, valid: false, cost: 0, reason: 'Error evaluating solution!' };
  }
}

/**
 * Verdict for a run against an instance given as text, as a prepared instance, or as a lazy
 * getter (used by the worker cache). Text/getter are only parsed once the pre-checks pass, and
 * a bad instance is an ERROR verdict, as when the Java Checker failed to read its dataset.
 */
export function verdictFor(source: string | PreparedInstance | (() => PreparedInstance), run: RunResult): Verdict {
  return judgeVerdict(run, (stdout) => {
    const prepared = typeof source === 'string' ? prepareInstance(source) : typeof source === 'function' ? source() : source;
    return checkSolution(prepared.instance, prepared.paths, parseSolution(stdout));
  });
}
