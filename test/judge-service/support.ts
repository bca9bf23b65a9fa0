import { silentLogger } from '../../src/observe/logger.js';
import { readFileSync } from 'node:fs';
import { trpc } from '../helpers/doors.js';
import { ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin, type Client } from '../helpers/http.js';
import { zipBase64 } from '../helpers/zip.js';
import { DEFAULT_SOLVER_COMMAND } from '../../judge/command.js';
import { gatewayClient } from '../../judge/gateway-client.js';
import { startJudge } from '../../judge/judge.js';
import { createRunner } from '../../judge/runners/index.js';
import type { Runner } from '../../judge/runners/types.js';

const CARP = new URL('../../../shared/carp/', import.meta.url);
export const GDB10 = readFileSync(new URL('instances/gdb10.dat', CARP), 'utf8');
/** A real solver output the original judge accepted at cost 298 (JUDGE-RULES, solutions/EXPECTED.tsv). */
export const GDB10_OUTPUT = readFileSync(new URL('solutions/gdb10.carp-oj-test1.out', CARP), 'utf8');

/** Python solvers written by the tests, each zipped as a real archive. */
export const SOLVERS = {
  good: `import sys\nsys.stdout.write(${JSON.stringify(GDB10_OUTPUT)})\n`,
  loops: 'while True:\n    pass\n',
  floods: 'import sys\nchunk = "x" * 1023 + "\\n"\nfor _ in range(10 * 1024):\n    sys.stdout.write(chunk)\n',
  exits1: 'import sys\nprint("s 0,(1,2),0")\nsys.exit(1)\n',
  invalid: 'print("s 0,(1,2),0")\nprint("q 5")\n',
  forks: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
  // 12 files of 6 MiB into its work dir: more than the judge's 16 MB work dir holds.
  fills: 'for i in range(12):\n    open("f%d" % i, "wb").write(b"1" * 6 * 1024 * 1024)\n',
} as const;

export const archive = (solver: keyof typeof SOLVERS) => zipBase64({ 'CARP_solver.py': SOLVERS[solver] });

export interface JudgeFixture {
  root: Client;
  datasetId: string;
  workerToken: string;
}

/** ROOT's session, a gdb10 dataset with the given time limit, and a WORKER account `worker1`. */
export async function judgeFixture(gw: Pick<TestGateway, 'url'>, time = 5): Promise<JudgeFixture> {
  const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
  const datasetId = (await root.post('/api/dataset/add', { name: `gdb10-${time}`, time, memory: 256, cpu: 1, data: GDB10 })).json.id;
  await root.post('/api/admin/user/add', { username: 'worker1', password: 'worker-pw', type: 300 });
  const workerToken = (await trpc(gw.url).auth.login.mutate({ username: 'worker1', password: 'worker-pw' })).token;
  return { root, datasetId, workerToken };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TEST_WORKDIR_MB = 16;

/** A real judge in this process (bwrap sandbox unless told, piscina checker) logged in as the fixture's `worker1`. */
export function startTestJudge(url: string, concurrency = 1, runner: Runner = createRunner('bwrap')) {
  return startJudge({
    client: gatewayClient(url, 'worker1', 'worker-pw'),
    runner,
    concurrency,
    solverCommand: DEFAULT_SOLVER_COMMAND,
    workDirMb: TEST_WORKDIR_MB,
    log: silentLogger,
  });
}

/** A judge's report of a run whose route was invalid, as a worker sends it. */
export const INVALID_REPORT = {
  timedout: false,
  stdout: 's 0,(1,2),0\nq 5\n',
  outOverflow: false,
  stderr: '',
  errOverflow: false,
  time: 0.5,
  exitcode: 0,
  status: 3 as const,
  valid: false,
  cost: 0,
  reason: 'Invalid tasks in some trip or duplicated tasks.',
};
