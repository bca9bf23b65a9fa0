import { describe, expect, it } from 'vitest';
import { DEFAULT_SOLVER_COMMAND, solverArgv } from '../../judge/command.js';

describe('solver command templates', () => {
  it('default to the CARP course call', () => {
    expect(solverArgv(DEFAULT_SOLVER_COMMAND, { instance: '/box/data.dat', time: 10, seed: 42 })).toEqual([
      'python3',
      'CARP_solver.py',
      '/box/data.dat',
      '-t',
      '10',
      '-s',
      '42',
    ]);
  });

  it('fill placeholders inside words and never involve a shell', () => {
    expect(solverArgv('python3 CARP_solver.py --in={instance} -t {time}; rm -rf /', { instance: '/box/x', time: 3, seed: 1 })).toEqual([
      'python3',
      'CARP_solver.py',
      '--in=/box/x',
      '-t',
      '3;',
      'rm',
      '-rf',
      '/',
    ]);
  });

  it('refuse an empty command', () => {
    expect(() => solverArgv('   ', { instance: 'x', time: 1, seed: 1 })).toThrow(/empty/);
  });
});
