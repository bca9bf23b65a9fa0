// The command an old worker builds from the gateway's config.json. Workers before $seed
// (carp_judge_worker c0f5f19 and earlier) substitute only $data, $time, $cpu and $memory; the
// gateway writes the seed into `parameters` as a number, so a solver that parses `-s` as an
// integer runs under every generation, with the same argv. The case is taken from a real
// gateway over the old socket and run by old-case-runner.py, which does what case.py did.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { strFromU8, strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { zipBase64 } from '../helpers/zip.js';
import { GDB10_OUTPUT, judgeFixture, waitFor, type JudgeFixture } from './support.js';
import { CASE_START, connectRaw, result, workerLogin, type OldWorker } from './old-worker.js';

const RUNNER = fileURLToPath(new URL('old-case-runner.py', import.meta.url));

/** A solver that reads its arguments as the course's solvers do: `-s` and `-t` as integers. */
const INT_SEED_SOLVER = [
  'import sys',
  'argv = sys.argv',
  "seed = int(argv[argv.index('-s') + 1])",
  "limit = int(argv[argv.index('-t') + 1])",
  'assert seed >= 0 and limit > 0',
  'with open(argv[1]) as f:',
  "    assert 'DEPOT' in f.read()",
  `sys.stdout.write(${JSON.stringify(GDB10_OUTPUT)})`,
  '',
].join('\n');

interface Run {
  argv: string[];
  exitcode: number;
  stdout: string;
  stderr: string;
}

let gw: TestGateway;
let fx: JudgeFixture;
let dir: string;
let worker: OldWorker | undefined;

beforeEach(async () => {
  gw = await startTestGateway();
  fx = await judgeFixture(gw);
  dir = await mkdtemp(join(tmpdir(), 'old-case-'));
});
afterEach(async () => {
  worker?.ws.terminate();
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function runAs(generation: 'before-seed' | 'seed', zip: Uint8Array, name: string): Promise<Run> {
  const path = join(dir, `${name}.zip`);
  await writeFile(path, zip);
  const { stdout } = await promisify(execFile)('python3', [RUNNER, path, generation], { timeout: 30_000 });
  return JSON.parse(stdout) as Run;
}

describe("the gateway's config.json under the command an older worker builds", () => {
  it('a solver that parses -s as an integer exits 0 under every worker generation, with the same argv', async () => {
    const { uid, cookie } = await workerLogin(gw.url, 'worker1', 'worker-pw');
    const w = await connectRaw(gw.url, cookie, uid);
    if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
    worker = w;
    await w.register(1);
    const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: zipBase64({ 'CARP_solver.py': INT_SEED_SOLVER }) })).json
      .cid as string;
    const { cid: pushed, zip, files } = await w.caseData();
    expect(pushed).toBe(cid);
    const config = JSON.parse(strFromU8(files['config.json']!));
    expect(config.parameters).toBe(`$data -t $time -s ${config.seed}`);

    const old = await runAs('before-seed', zip, 'gateway');
    const later = await runAs('seed', zip, 'gateway');
    expect(old.stderr).toBe('');
    expect(old.exitcode).toBe(0);
    expect(later.exitcode).toBe(0);
    expect(old.argv).toEqual(['python3', '/workspace/program/CARP_solver.py', '/workspace/data/data.dat', '-t', '5', '-s', String(config.seed)]);
    expect(later.argv).toEqual(old.argv);

    // What the old worker reports of that run, judged by the gateway.
    const start = Date.now() / 1000;
    w.send({ type: CASE_START, cid, timestamp: start });
    w.send(result(cid, old.stdout, start + 1, { exitcode: old.exitcode, stderr: old.stderr }));
    const done = await waitFor('the case to finish', async () => {
      const c = (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
      return c.status === 3 && c;
    });
    expect(done).toMatchObject({ valid: true, cost: 298, exitcode: 0, reason: 'Solution Accepted.' });

    // The control: the config.json the gateway used to send (`-s $seed`) fails that solver under
    // the old worker (the literal text reaches int()), and passes under the later ones.
    const before = zipSync({ ...files, 'config.json': strToU8(JSON.stringify({ ...config, parameters: '$data -t $time -s $seed' })) });
    const broken = await runAs('before-seed', before, 'before');
    expect(broken.argv.at(-1)).toBe('$seed');
    expect(broken.exitcode).not.toBe(0);
    expect(broken.stderr).toContain("ValueError: invalid literal for int() with base 10: '$seed'");
    expect((await runAs('seed', before, 'before')).exitcode).toBe(0);
  });
});
