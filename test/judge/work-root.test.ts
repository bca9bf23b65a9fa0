// The judge's work folders: a judge that starts removes those of judges that died (their pid is
// gone), keeps those of live ones, and its own goes when it is released.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canMount, mountsUnder } from '../../judge/bounded-dir.js';
import { unpackSolver } from '../../judge/unpack.js';
import { claimWorkRoot } from '../../judge/work-root.js';
import { GOOD_SOLVER, INSTANCE, solverZip } from './runners/support.js';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'arena-work-root-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

it('removes dead judges’ folders (with what their runs left), keeps live ones and other files', async () => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  await mkdir(join(base, `arena-judge-${dead}`, 'arena-solver-x'), { recursive: true });
  await writeFile(join(base, `arena-judge-${dead}`, 'arena-solver-x', 'CARP_solver.py'), 'print(1)\n');
  await mkdir(join(base, `arena-judge-${process.ppid}`)); // a live process
  await mkdir(join(base, 'arena-judge-notapid'));
  await writeFile(join(base, 'unrelated.txt'), 'x');

  const root = await claimWorkRoot(base);
  expect(root.removed).toEqual([`arena-judge-${dead}`]);
  expect(root.dir).toBe(join(base, `arena-judge-${process.pid}`));
  expect((await readdir(base)).sort()).toEqual(
    [`arena-judge-${process.pid}`, `arena-judge-${process.ppid}`, 'arena-judge-notapid', 'unrelated.txt'].sort(),
  );
  await root.release();
  expect(await readdir(base)).not.toContain(`arena-judge-${process.pid}`);
});

it.runIf(canMount())('unmounts the tmpfs work dir a dead judge left mounted, then removes its folder', async () => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const folder = join(base, `arena-judge-${dead}`);
  await mkdir(folder);
  const solver = await unpackSolver(solverZip(GOOD_SOLVER), INSTANCE, folder, { sizeMb: 16 });
  expect(solver.bounded).toBe(true);
  expect(await mountsUnder(folder)).toEqual([solver.dir]);

  const root = await claimWorkRoot(base);
  expect(root.removed).toContain(`arena-judge-${dead}`);
  expect(await mountsUnder(folder)).toEqual([]);
  expect(await readdir(base)).not.toContain(`arena-judge-${dead}`);
  await root.release();
});
