// `npm run carp:import` as a real child process on a real libSQL file: the shipped instances
// (read in place) with their best-known costs, a second run that skips them all, a folder with
// bad files, bad arguments, and the progress bar on a terminal.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CARP = fileURLToPath(new URL('../../../shared/carp/', import.meta.url));
const INSTANCES = join(CARP, 'instances');
const BEST_KNOWN = join(CARP, 'best-known.tsv');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-import-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function carpImport(dbFile: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/node/carp-import.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${dbFile}`, ROOT_PASSWORD: 'root-pass-1', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function datasets(dbFile: string) {
  const db = createClient({ url: `file:${dbFile}` });
  try {
    const rs = await db.execute('SELECT name, time, memory, cpu, data, best_known_cost FROM datasets ORDER BY name');
    return rs.rows.map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

describe('npm run carp:import', () => {
  const db = () => join(dir, 'shipped.db');

  it('adds every shipped instance, named after its file, with its best-known cost', async () => {
    const run = await carpImport(db(), [INSTANCES, '--best-known', BEST_KNOWN]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const added = lines.filter((l) => /^\S+: added \([0-9a-f]{24}\)$/.test(l));
    expect(added).toHaveLength(92);
    expect(lines.at(-1)).toBe('92 instance file(s): 92 added, 0 skipped (exist), 0 not imported');

    const rows = await datasets(db());
    expect(rows).toHaveLength(92);
    const best = new Map(
      readFileSync(BEST_KNOWN, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .map((c) => [c[0], Number(c[6])]),
    );
    for (const r of rows) {
      expect(r.data).toBe(readFileSync(join(INSTANCES, `${r.name}.dat`), 'utf8'));
      expect(r).toMatchObject({ time: 10, memory: 256, cpu: 1 });
      expect(r.best_known_cost === null ? null : Number(r.best_known_cost)).toBe(best.get(String(r.name)) ?? null);
    }
    expect(rows.filter((r) => r.best_known_cost !== null).length).toBeGreaterThan(0);
  });

  it('skips what exists on a second run, changing nothing', async () => {
    const before = await snapshot(`file:${db()}`, ['datasets']);
    const run = await carpImport(db(), [INSTANCES, '--best-known', BEST_KNOWN, '--time', '99']);
    expect(run.code, run.stderr).toBe(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(': exists, skipped')),
    ).toHaveLength(92);
    expect(await snapshot(`file:${db()}`, ['datasets'])).toBe(before);
  });

  it('reports each bad file on its own line, adds the good ones whole, and exits 1', async () => {
    const folder = join(dir, 'mixed');
    await mkdir(join(folder, 'nested.dat'), { recursive: true });
    await writeFile(join(folder, 'good.dat'), readFileSync(join(INSTANCES, 'gdb1.dat')));
    await writeFile(join(folder, 'garbage.dat'), 'NAME : x\nthis is not an instance\n');
    await writeFile(join(folder, 'empty.dat'), '');
    await writeFile(join(folder, 'notes.txt'), 'not an instance file, not read');
    const file = join(dir, 'mixed.db');
    const run = await carpImport(file, [folder, '--time', '5', '--memory', '512', '--cpu', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^empty: not imported: .+$/m);
    expect(run.stderr).toMatch(/^garbage: not imported: .+$/m);
    expect(run.stdout).toMatch(/^good: added \([0-9a-f]{24}\)$/m);
    expect(run.stdout).toContain('3 instance file(s): 1 added, 0 skipped (exist), 2 not imported');
    expect((await datasets(file)).map((r) => [r.name, r.time, r.memory, r.cpu])).toEqual([['good', 5, 512, 2]]);
  });

  it('refuses bad arguments and a bad best-known table with one line, before writing anything', async () => {
    const file = join(dir, 'refused.db');
    const usage = await carpImport(file, []);
    expect([usage.code, usage.stderr.trim()]).toEqual([2, expect.stringMatching(/^usage: npm run carp:import -- DIR/)]);
    expect((await carpImport(file, [INSTANCES, '--time', 'abc'])).stderr.trim()).toBe("--time must be a positive integer, not 'abc'");
    expect((await carpImport(file, [INSTANCES, '--cpu', '0'])).code).toBe(2);
    const table = join(dir, 'bad.tsv');
    await writeFile(table, 'instance\tbest_known_cost\ngdb1\t316\ngdb2\tlots\n');
    const bad = await carpImport(file, [INSTANCES, '--best-known', table]);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, `${table}: line 3: best_known_cost 'lots' is not a non-negative integer`]);
    const missing = await carpImport(file, [join(dir, 'no-such-folder')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^carp:import failed: ENOENT/);
    // None of these touched the database: it was never even created.
    expect(existsSync(file)).toBe(false);
  });

  it('draws a progress bar on a terminal', async () => {
    const file = join(dir, 'tty.db');
    // util-linux's `script` runs the command on a pseudo-terminal, as an operator's shell would.
    const command = `${process.execPath} --import tsx src/node/carp-import.ts ${INSTANCES}`;
    const run = await new Promise<Ran>((resolve) => {
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${file}`, ROOT_PASSWORD: 'root-pass-1' }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('\r[##############################] 92/92 ');
    expect(run.stdout).not.toMatch(/: added \(/);
    expect(run.stdout).toContain('92 instance file(s): 92 added');
  });
});
