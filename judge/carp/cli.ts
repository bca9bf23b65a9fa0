// npm run --silent carp:check -- INSTANCE SOLUTION
// Prints one JSON line {"valid","cost","reason"}: the judge's verdict for SOLUTION taken as the
// stdout of a normal run (exit 0, not timed out). Bad arguments / unreadable files: exit 2.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verdictFor } from '../../src/carp/verdict.js';

function fail(message: string): never {
  process.stderr.write(`carp:check: ${message}\nusage: npm run --silent carp:check -- INSTANCE SOLUTION\n`);
  process.exit(2);
}

// `npm run` moves to the package root; a relative path that is not there is tried from the
// directory npm was called in (INIT_CWD).
function locate(arg: string): string {
  const here = resolve(arg);
  const init = process.env.INIT_CWD;
  if (!existsSync(here) && init) {
    const there = resolve(init, arg);
    if (existsSync(there)) return there;
  }
  return here;
}

function read(arg: string, what: string): string {
  try {
    return readFileSync(locate(arg), 'utf8');
  } catch (e) {
    return fail(`cannot read ${what} ${arg}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const args = process.argv.slice(2);
if (args.length !== 2 || args.some((a) => a === '' || a.startsWith('-'))) {
  fail(`expected 2 file arguments, got ${JSON.stringify(args)}`);
}
const [instancePath, solutionPath] = args as [string, string];
const instanceText = read(instancePath, 'instance');
const stdout = read(solutionPath, 'solution');
const { valid, cost, reason } = verdictFor(instanceText, { timedout: false, exitcode: 0, stdout });
process.stdout.write(`${JSON.stringify({ valid, cost, reason })}\n`);
