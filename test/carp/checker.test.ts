import { describe, expect, it } from 'vitest';
import { checkSolution } from '../../src/carp/checker.js';
import { prepareInstance, verdictFor, type Verdict } from '../../src/carp/verdict.js';
import { parseSolution } from '../../src/carp/solution.js';
import { evaluate, instanceText, model } from './fixtures.js';

// sample.dat: depot 1, capacity 6; required (2,3) c2 d3, (3,4) c3 d3, (5,6) c2 d2, (6,7) c3 d2,
// (7,8) c3 d2; non-required 1-2 c4, 1-4 c4, 4-5 c7, 1-8 c1, 1-5 c3.
const sample = prepareInstance(instanceText('sample'));
const run = (stdout: string): Verdict => verdictFor(sample, { timedout: false, exitcode: 0, stdout });
const T1 = '0,(2,3),(3,4),0';
const T2 = '0,(8,7),(7,6),(6,5),0';
const ok = `s ${T1},${T2}\nq 25\n`;

const accepted = (cost: number): Verdict => ({ status: 3, valid: true, cost, reason: 'Solution Accepted.' });
const rejected = (reason: string, cost = 0): Verdict => ({ status: 3, valid: false, cost, reason });
const ERROR: Verdict = { status: 4, valid: false, cost: 0, reason: 'Error evaluating solution!' };

describe('checkSolution on sample.dat', () => {
  it("accepts the course's example at 25", () => {
    expect(run(ok)).toEqual(accepted(25));
    expect(checkSolution(sample.instance, sample.paths, parseSolution(ok))).toEqual({
      valid: true,
      cost: 25,
      reason: 'Solution Accepted.',
    });
  });

  it('rejects an unknown node (also node 0)', () => {
    expect(run(`s 0,(2,3),(3,9),0,${T2}\nq 25`)).toEqual(rejected('No such node in graph'));
    expect(run(`s 0,(0,1),0,${T1},${T2}\nq 25`)).toEqual(rejected('No such node in graph'));
  });

  it('rejects a duplicated task, in either direction, and a non-required edge', () => {
    const invalid = rejected('Invalid tasks in some trip or duplicated tasks.');
    expect(run(`s ${T1},0,(2,3),0,${T2}\nq 25`)).toEqual(invalid);
    expect(run(`s ${T1},0,(3,2),0,${T2}\nq 25`)).toEqual(invalid);
    expect(run(`s ${T1},${T2},0,(1,8),0\nq 25`)).toEqual(invalid);
    expect(run(`s 0,(1,2),0,${T1},${T2}\nq 25`)).toEqual(invalid); // a trip with only a bad task
  });

  it('rejects a trip over capacity (checked after each task)', () => {
    expect(run('s 0,(2,3),(3,4),(6,5),0,0,(8,7),(7,6),0\nq 30')).toEqual(rejected('Exceeding Capacity Detected.'));
    expect(run('s 0,(8,7),(7,6),(6,5),0,0,(2,3),(3,4),0\nq 25')).toEqual(accepted(25)); // load 6 = capacity
  });

  it('empty trips: "0,0" alone is skipped, a matched trip without a task is rejected', () => {
    expect(run(`s 0,0,${T1},0,0,${T2},0,0\nq 25`)).toEqual(accepted(25));
    expect(run(`s ${T1},0,(2;3),0,${T2}\nq 25`)).toEqual(rejected('No valid tasks in some trip.'));
    expect(run(`s ${T1},0,(x),0,${T2}\nq 25`)).toEqual(rejected('No valid tasks in some trip.'));
  });

  it('rejects missing tasks, also when a lost trip (", 0" close) held them', () => {
    expect(run(`s ${T1}\nq 13`)).toEqual(rejected('There are still tasks not accomplished.'));
    expect(run(`s ${T1},0,(8,7),(7,6),(6,5), 0\nq 25`)).toEqual(rejected('There are still tasks not accomplished.'));
    expect(run('s 0,0\nq 0')).toEqual(rejected('There are still tasks not accomplished.'));
  });

  it('the first failure met wins, trip by trip and task by task', () => {
    // capacity in trip 1 beats a bad node later in the same trip and a duplicate in trip 2
    expect(run('s 0,(2,3),(3,4),(6,5),(9,9),0,0,(2,3),0\nq 1')).toEqual(rejected('Exceeding Capacity Detected.'));
    // an empty trip 1 beats an unknown node in trip 2
    expect(run('s 0,(x),0,0,(9,9),0\nq 1')).toEqual(rejected('No valid tasks in some trip.'));
    // an unknown node beats an empty trip after it
    expect(run('s 0,(9,9),0,0,(x),0\nq 1')).toEqual(rejected('No such node in graph'));
    // an invalid task beats missing tasks and a wrong q
    expect(run('s 0,(1,2),0\n')).toEqual(rejected('Invalid tasks in some trip or duplicated tasks.'));
  });

  it('wrong or missing q: valid false but the computed cost is kept', () => {
    expect(run(`s ${T1},${T2}\nq 24`)).toEqual(rejected('Wrong cost calculation.', 25));
    expect(run(`s ${T1},${T2}\n`)).toEqual(rejected('Wrong cost calculation.', 25)); // q = -1
    expect(run(`s ${T1},${T2}\nq total\n`)).toEqual(rejected('Wrong cost calculation.', 25));
  });

  it("lenient q and task forms: q -25, q 25.0, (2, 3), ('2','3')", () => {
    expect(run(`s ${T1},${T2}\nq -25`)).toEqual(accepted(25));
    expect(run(`s ${T1},${T2}\nq 25.0`)).toEqual(accepted(25));
    expect(run(`s 0,(2, 3), ( 3 ,4 ),0,0,('8','7'),('7', '6'),(6,'5'),0\nq 25`)).toEqual(accepted(25));
  });

  it('charges the direction as printed', () => {
    const m = model(instanceText('sample'));
    const route: Array<Array<[number, number]>> = [
      [
        [3, 2],
        [3, 4],
      ],
      [
        [8, 7],
        [7, 6],
        [6, 5],
      ],
    ];
    const { cost } = evaluate(m, route);
    expect(cost).toBe(29); // 1->3 (6) + 2 + 2->3 (2) + 3 + 4->1 (4) = 17, plus 12
    expect(run(`s 0,(3,2),(3,4),0,${T2}\nq 29`)).toEqual(accepted(29));
    expect(run(`s 0,(4,3),(3,2),0,0,(5,6),(6,7),(7,8),0\nq 25`)).toEqual(accepted(25));
  });

  it('pools several s lines and ignores other lines', () => {
    expect(run(`debug\ns ${T1}\nprogress 0,(1,2),0\ns ${T2}\nq 25\n`)).toEqual(accepted(25));
  });

  it('separate trips cost a return to the depot each', () => {
    expect(run('s 0,(2,3),0,0,(3,4),0,0,(8,7),(7,6),(6,5),0\nq 37')).toEqual(accepted(37)); // 12 + 13 + 12
  });
});

describe('checker exceptions are ERROR verdicts (status 4), only where Java threw', () => {
  it('task node id past int32, unless an earlier failure returns first', () => {
    expect(run(`s 0,(2,99999999999),0,${T2}\nq 1`)).toEqual(ERROR);
    expect(run(`s 0,(1,2),0,0,(2,99999999999),0\nq 1`)).toEqual(rejected('Invalid tasks in some trip or duplicated tasks.'));
  });

  it('q past int32', () => {
    expect(run(`s ${T1},${T2}\nq 99999999999`)).toEqual(ERROR);
  });

  it('a task unreachable from the depot (Java: null shortest path)', () => {
    const split = 'DEPOT : 1\nCAPACITY : 5\n1 2 1 1\n3 4 1 1\n';
    const v = verdictFor(split, { timedout: false, exitcode: 0, stdout: 's 0,(1,2),0,0,(3,4),0\nq 4' });
    expect(v).toEqual(ERROR);
  });

  it('an unreadable instance', () => {
    expect(verdictFor('NAME : broken\n', { timedout: false, exitcode: 0, stdout: ok })).toEqual(ERROR);
  });
});
