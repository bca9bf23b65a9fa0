import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../carp/fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'judge/carp/cli.ts', ...args], { cwd: root, encoding: 'utf8' });

const scratch = mkdtempSync(join(tmpdir(), 'carp-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('carp:check CLI (real child process)', () => {
  it('prints the verdict of a shipped solution as one JSON line', () => {
    const r = cli(sharedPath('instances/gdb10.dat'), sharedPath('solutions/gdb10.carp-oj-test2.out'));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"valid":true,"cost":301,"reason":"Solution Accepted."}\n');
  });

  it('reports invalid routes with the judge reason and cost', () => {
    const bad = join(scratch, 'wrong-q.out');
    writeFileSync(bad, 's 0,(2,3),(3,4),0,0,(8,7),(7,6),(6,5),0\r\nq 24\r\n');
    const r = cli(sharedPath('instances/sample.dat'), bad);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: false, cost: 25, reason: 'Wrong cost calculation.' });
  });

  it('an empty solution file is "No output"', () => {
    const empty = join(scratch, 'empty.out');
    writeFileSync(empty, '');
    expect(JSON.parse(cli(sharedPath('instances/sample.dat'), empty).stdout)).toEqual({
      valid: false,
      cost: 0,
      reason: 'No output',
    });
  });

  it('works through npm run --silent carp:check with paths relative to the repo', () => {
    const r = spawnSync(
      'npm',
      ['run', '--silent', 'carp:check', '--', '../shared/carp/instances/gdb23.dat', '../shared/carp/solutions/gdb23.bks.out'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"valid":true,"cost":233,"reason":"Solution Accepted."}\n');
  });

  it('exits 2 with a message on stderr for bad arguments or unreadable files', () => {
    for (const args of [
      [],
      [sharedPath('instances/sample.dat')],
      ['a', 'b', 'c'],
      [sharedPath('instances/sample.dat'), join(scratch, 'missing.out')],
    ]) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/carp:check: /);
    }
  });
});
