import { describe, expect, it } from 'vitest';
import { judgeVerdict, prepareInstance, verdictFor } from '../../src/carp/verdict.js';
import { instanceText } from './fixtures.js';

const gdb1 = prepareInstance(instanceText('gdb1'));
const good = 's 0,(1,2),0\nq 1\n'; // content irrelevant for the pre-checks
const pre = (reason: string) => ({ status: 3, valid: false, cost: 0, reason });

describe('pre-checks, in the original order', () => {
  it.each([
    [{ timedout: true, exitcode: 137, stdout: '' }, 'Timed out'],
    [{ timedout: true, exitcode: -1, stdout: good }, 'Timed out'],
    [{ timedout: false, exitcode: 137, stdout: '' }, 'Killed (Out of memory)'],
    [{ timedout: false, exitcode: 137, stdout: good }, 'Killed (Out of memory)'],
    [{ timedout: false, exitcode: 1, stdout: '' }, 'Exit code is not zero'],
    [{ timedout: false, exitcode: -1, stdout: good }, 'Exit code is not zero'],
    [{ timedout: false, exitcode: 0, stdout: '' }, 'No output'],
  ])('%j -> %s', (run, reason) => {
    expect(verdictFor(gdb1, run)).toEqual(pre(reason));
  });

  it('runs the checker only when every pre-check passes', () => {
    let calls = 0;
    const check = () => {
      calls++;
      return { valid: true, cost: 7, reason: 'Solution Accepted.' };
    };
    judgeVerdict({ timedout: true, exitcode: 0, stdout: good }, check);
    judgeVerdict({ timedout: false, exitcode: 0, stdout: '' }, check);
    expect(calls).toBe(0);
    expect(judgeVerdict({ timedout: false, exitcode: 0, stdout: good }, check)).toEqual({
      status: 3,
      valid: true,
      cost: 7,
      reason: 'Solution Accepted.',
    });
  });

  it('whitespace-only stdout is not "No output" (Spring StringUtils.isEmpty): the checker judges it', () => {
    expect(verdictFor(gdb1, { timedout: false, exitcode: 0, stdout: ' \n' })).toEqual(pre('There are still tasks not accomplished.'));
  });

  it('a checker exception is status 4, "Error evaluating solution!"', () => {
    const boom = () => {
      throw new Error('boom');
    };
    expect(judgeVerdict({ timedout: false, exitcode: 0, stdout: good }, boom)).toEqual({
      status: 4,
      valid: false,
      cost: 0,
      reason: 'Error evaluating solution!',
    });
  });

  it('a bad instance is only read after the pre-checks', () => {
    expect(verdictFor('garbage', { timedout: true, exitcode: 0, stdout: good })).toEqual(pre('Timed out'));
    expect(verdictFor('garbage', { timedout: false, exitcode: 0, stdout: good }).status).toBe(4);
    expect(
      verdictFor(
        () => {
          throw new Error('x');
        },
        { timedout: false, exitcode: 0, stdout: good },
      ).status,
    ).toBe(4);
  });

  it('accepts the instance as text, prepared, or lazily', () => {
    const route = 's 0,(1,2),(2,4),(4,1),0\nq 999\n';
    const run = { timedout: false, exitcode: 0, stdout: route };
    const v = verdictFor(instanceText('gdb1'), run);
    expect(v.reason).toBe('There are still tasks not accomplished.');
    expect(verdictFor(gdb1, run)).toEqual(v);
    expect(verdictFor(() => gdb1, run)).toEqual(v);
  });
});
