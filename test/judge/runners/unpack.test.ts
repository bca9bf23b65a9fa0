import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { SolverArchiveError, unpackSolver } from '../../../judge/unpack.js';
import { GOOD_SOLVER, INSTANCE, rawZip, scratchBase, solverZip } from './support.js';

let scratch: { base: string; remove(): Promise<void> };
beforeAll(async () => {
  scratch = await scratchBase('unpack');
});
afterAll(async () => {
  await scratch?.remove();
});

async function expectRejected(zip: Uint8Array, message: string) {
  const before = readdirSync(scratch.base).length;
  const p = unpackSolver(zip, INSTANCE, scratch.base);
  await expect(p).rejects.toBeInstanceOf(SolverArchiveError);
  await expect(p).rejects.toThrow(message);
  expect(readdirSync(scratch.base).length).toBe(before); // no work dir left behind
}

describe('unpackSolver', () => {
  it('unpacks into a fresh private dir with the instance as data.dat; cleanup removes it', async () => {
    const s = await unpackSolver(solverZip(GOOD_SOLVER, { 'lib/util.py': 'X = 1\n' }), INSTANCE, scratch.base);
    expect(s.dir.startsWith(scratch.base)).toBe(true);
    expect(statSync(s.dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(s.dir).sort()).toEqual(['CARP_solver.py', 'data.dat', 'lib']);
    expect(readFileSync(`${s.dir}/CARP_solver.py`, 'utf8')).toBe(GOOD_SOLVER);
    expect(readFileSync(`${s.dir}/lib/util.py`, 'utf8')).toBe('X = 1\n');
    expect(readFileSync(`${s.dir}/data.dat`, 'utf8')).toBe(INSTANCE);
    const other = await unpackSolver(solverZip(GOOD_SOLVER), INSTANCE, scratch.base);
    expect(other.dir).not.toBe(s.dir);
    await s.cleanup();
    await other.cleanup();
    expect(existsSync(s.dir)).toBe(false);
  });

  it('takes the files of a single top folder, and the instance wins over an archived data.dat', async () => {
    const zip = zipSync({
      'mysolver/CARP_solver.py': strToU8(GOOD_SOLVER),
      'mysolver/helpers/a.py': strToU8('A = 1\n'),
      'mysolver/data.dat': strToU8('stale'),
      '__MACOSX/mysolver/._CARP_solver.py': strToU8('junk'),
    });
    const s = await unpackSolver(zip, INSTANCE, scratch.base);
    expect(readdirSync(s.dir).sort()).toEqual(['CARP_solver.py', 'data.dat', 'helpers']);
    expect(readFileSync(`${s.dir}/data.dat`, 'utf8')).toBe(INSTANCE);
    await s.cleanup();
  });

  it('rejects a zip bomb before writing anything (honest and lying sizes)', async () => {
    const zeros = new Uint8Array(12 * 1024 * 1024);
    const honest = zipSync({ 'CARP_solver.py': strToU8(GOOD_SOLVER), 'bomb.bin': zeros });
    expect(honest.length).toBeLessThan(200 * 1024);
    await expectRejected(honest, 'Zip archive unpacks too large!');
    const liar = rawZip([
      { name: 'CARP_solver.py', data: GOOD_SOLVER },
      { name: 'bomb.bin', data: zeros, method: 8, declaredSize: 10 },
    ]);
    await expectRejected(liar, 'Zip archive unpacks too large!');
  });

  it('rejects traversal, absolute paths and links', async () => {
    await expectRejected(
      rawZip([
        { name: 'CARP_solver.py', data: GOOD_SOLVER },
        { name: '../evil.py', data: 'x' },
      ]),
      'Unsafe path in zip archive!',
    );
    await expectRejected(
      rawZip([
        { name: 'CARP_solver.py', data: GOOD_SOLVER },
        { name: '/etc/evil', data: 'x' },
      ]),
      'Unsafe path in zip archive!',
    );
    await expectRejected(
      rawZip([
        { name: 'CARP_solver.py', data: GOOD_SOLVER },
        { name: 'link', data: '/etc/passwd', unixMode: 0o120777 },
      ]),
      'Unsafe path in zip archive!',
    );
  });

  it('rejects archives without a solver, garbage, and conflicting paths', async () => {
    await expectRejected(zipSync({ 'main.py': strToU8('print(1)') }), 'No CARP_solver.py found!');
    await expectRejected(strToU8('not a zip at all'), 'Invalid zip archive!');
    await expectRejected(
      rawZip([
        { name: 'CARP_solver.py', data: GOOD_SOLVER },
        { name: 'a', data: 'file' },
        { name: 'a/b', data: 'under a file' },
      ]),
      'Invalid zip archive!',
    );
  });
});
