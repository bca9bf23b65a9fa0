import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRunner } from '../../../judge/runners/index.js';
import { ProcessRunner } from '../../../judge/runners/process.js';
import { DEFAULT_OUTPUT_CAP } from '../../../judge/runners/types.js';
import { GOOD_SOLVER, INSTANCE, leftovers, runSolver, scratchBase, sleep } from './support.js';

let scratch: { base: string; remove(): Promise<void> };
const cleanups: Array<() => Promise<void>> = [];
let runner: ProcessRunner;
beforeAll(async () => {
  scratch = await scratchBase('process');
  runner = new ProcessRunner();
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await scratch?.remove();
});

async function run(code: string, limits: Parameters<typeof runSolver>[3] = {}, extra: Parameters<typeof runSolver>[4] = {}) {
  const r = await runSolver(runner, scratch.base, code, limits, extra);
  cleanups.push(r.solver.cleanup);
  return r;
}

/** A solver that starts a grandchild carrying `marker` in its argv, then spins. */
const spawnAndSpin = (marker: string) =>
  `import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)', ${JSON.stringify(marker)}])\nwhile True: pass\n`;

describe('process runner (no isolation, same semantics)', () => {
  it('warns loudly, once, that nothing is sandboxed', async () => {
    const spy = vi.spyOn(process.stderr, 'write');
    try {
      const r1 = await run(GOOD_SOLVER);
      await run(GOOD_SOLVER);
      const warnings = spy.mock.calls.filter(([s]) => String(s).includes('NOTHING IS SANDBOXED'));
      expect(warnings).toHaveLength(1);
      expect(r1.result).toMatchObject({ timedout: false, exitcode: 0, stderr: '', outOverflow: false, errOverflow: false });
      expect(r1.result.stdout).toBe(`s 0,(1,2),0\nq 5\nargs -t 2 -s 42\nfirst ${INSTANCE.split('\n')[0]}\n`);
    } finally {
      spy.mockRestore();
    }
  });

  it('runs in the host work dir (argv paths are host paths)', async () => {
    const { result, solver } = await run('import os\nprint(os.getcwd())\nopen("out.txt", "w").write("x")\n');
    expect(result.stdout).toBe(`${solver.dir}\n`);
    expect(existsSync(`${solver.dir}/out.txt`)).toBe(true);
    expect(runner.pathInside(solver.dir, 'data.dat')).toBe(`${solver.dir}/data.dat`);
  });

  it('kills the whole process group at the wall limit: timedout, -1, nothing left', async () => {
    const marker = `arena-marker-${process.pid}-timeout`;
    const { result } = await run(spawnAndSpin(marker), { timeSec: 1 });
    expect(result).toMatchObject({ timedout: true, exitcode: -1 });
    expect(result.time).toBeGreaterThanOrEqual(1);
    expect(result.time).toBeLessThan(2);
    expect(leftovers({ marker })).toEqual([]);
  });

  it('kills what the solver left behind when it exits', async () => {
    const marker = `arena-marker-${process.pid}-exit`;
    const { result } = await run(
      `import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)', ${JSON.stringify(marker)}])\nprint("bye")\n`,
    );
    expect(result).toMatchObject({ timedout: false, exitcode: 0, stdout: 'bye\n' });
    await sleep(50);
    expect(leftovers({ marker })).toEqual([]);
  });

  it('captures overflowing stdout/stderr tails, exit codes and signals', async () => {
    const { result } = await run(
      'import sys\nsys.stdout.write("y" * (3 * 1024 * 1024) + "END\\n")\nsys.stderr.write("z" * 300000 + "ERR")\nsys.exit(3)\n',
    );
    expect(result).toMatchObject({ timedout: false, exitcode: 3, outOverflow: true, errOverflow: true });
    expect(result.stdout.length).toBe(DEFAULT_OUTPUT_CAP);
    expect(result.stdout.endsWith('yEND\n')).toBe(true);
    expect(result.stderr.length).toBe(DEFAULT_OUTPUT_CAP);
    expect(result.stderr.endsWith('zERR')).toBe(true);
    const killed = await run('import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n');
    expect(killed.result.exitcode).toBe(137);
    const term = await run('import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n');
    expect(term.result.exitcode).toBe(143);
  });

  it('an AbortSignal kills the tree and rejects', async () => {
    const marker = `arena-marker-${process.pid}-abort`;
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop!')), 300);
    await expect(run(spawnAndSpin(marker), { timeSec: 10 }, { signal: ac.signal })).rejects.toThrow('stop!');
    await sleep(50);
    expect(leftovers({ marker })).toEqual([]);
  });

  it('rejects when the program does not exist', async () => {
    await expect(run(GOOD_SOLVER, {}, { argv: () => ['/nonexistent/python3', 'CARP_solver.py'] })).rejects.toThrow(/ENOENT/);
  });

  it('createRunner("process") gives a process runner', () => {
    expect(createRunner('process').kind).toBe('process');
  });
});
