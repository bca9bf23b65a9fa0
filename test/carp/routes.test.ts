// Real routes on the shipped instances: expected verdicts, best-known costs as a floor, and
// random route edits cross-checked against the independent model in fixtures.ts.

import { describe, expect, it } from 'vitest';
import { parseSolution } from '../../src/carp/solution.js';
import { prepareInstance, verdictFor, type PreparedInstance } from '../../src/carp/verdict.js';
import {
  bestKnown,
  evaluate,
  expectedRows,
  formatRoute,
  greedyRoute,
  instanceNames,
  instanceText,
  model,
  rng,
  solutionText,
  type Model,
  type Route,
} from './fixtures.js';

const finished = { timedout: false, exitcode: 0 };
const bks = bestKnown();
const prepared = new Map<string, PreparedInstance>();
const prep = (name: string): PreparedInstance => {
  let p = prepared.get(name);
  if (!p) prepared.set(name, (p = prepareInstance(instanceText(name))));
  return p;
};

describe('solutions/EXPECTED.tsv', () => {
  it.each(expectedRows())('$file -> valid $valid, cost $cost', ({ file, instance, valid, cost }) => {
    const stdout = solutionText(file);
    const v = verdictFor(instanceText(instance), { ...finished, stdout });
    expect(v.status).toBe(3);
    expect(v.valid).toBe(valid);
    expect(v.cost).toBe(cost);
    if (valid) expect(v.reason).toBe('Solution Accepted.');
    // the independent model agrees on the route's cost
    const m = model(instanceText(instance));
    expect(evaluate(m, parseSolution(stdout).trips)).toEqual({ cost, feasible: true });
  });

  it('a shipped best-known route claiming one less is refused, with its true cost', () => {
    const stdout = solutionText('egl-s4-C.bks.out').replace(/^q 20476$/m, 'q 20475');
    expect(verdictFor(prep('egl-s4-C'), { ...finished, stdout })).toEqual({
      status: 3,
      valid: false,
      cost: 20476,
      reason: 'Wrong cost calculation.',
    });
  });
});

/** Random edit of a route: reverse, move or swap tasks; sometimes break it on purpose. */
function edit(route: Route, m: Model, rand: () => number): Route {
  const r = route.map((t) => t.map(([u, v]) => [u, v] as [number, number]));
  const pick = (): [number, number] => {
    const i = Math.floor(rand() * r.length);
    return [i, Math.floor(rand() * r[i]!.length)];
  };
  const x = rand();
  const [i, j] = pick();
  const trip = r[i]!;
  const task = trip[j]!;
  if (x < 0.3) {
    trip[j] = [task[1], task[0]];
  } else if (x < 0.6) {
    trip.splice(j, 1);
    const k = Math.floor(rand() * (r.length + 1));
    if (k === r.length) r.push([task]);
    else r[k]!.splice(Math.floor(rand() * (r[k]!.length + 1)), 0, task);
  } else if (x < 0.9) {
    const [k, l] = pick();
    trip[j] = r[k]![l]!;
    r[k]![l] = task;
  } else if (x < 0.93) {
    trip.push([task[1], task[0]]); // duplicate
  } else if (x < 0.96) {
    trip.splice(j, 1); // drop
  } else {
    trip[j] = [m.depot, m.ids[Math.floor(rand() * m.ids.length)]!]; // likely not a task
  }
  return r.filter((t) => t.length > 0);
}

/** Walk through random edits; every verdict must match the model, never under the BKS. */
function walk(name: string, start: Route, steps: number, seed: number): number {
  const m = model(instanceText(name));
  const p = prep(name);
  const floor = bks.get(name) ?? 0;
  const rand = rng(seed);
  let route = start;
  let accepted = 0;
  for (let s = 0; s < steps; s++) {
    const next = edit(route, m, rand);
    const { cost, feasible } = evaluate(m, next);
    const v = verdictFor(p, { ...finished, stdout: formatRoute(next, cost) });
    if (v.valid !== feasible || (feasible && v.cost !== cost)) {
      throw new Error(`${name} step ${s}: model ${cost}/${feasible}, judge ${JSON.stringify(v)}\n${formatRoute(next, cost)}`);
    }
    if (feasible) {
      expect(cost).toBeGreaterThanOrEqual(floor);
      accepted++;
      route = next;
    }
  }
  return accepted;
}

describe('best-known costs are a floor the checker respects', () => {
  it('every instance but the course sample has a best-known cost', () => {
    expect([...bks.keys(), 'sample'].sort()).toEqual(instanceNames());
  });

  it.each([...bks.keys()])('%s: greedy route accepted at its model cost >= BKS; cheaper claims refused', (name) => {
    const m = model(instanceText(name));
    const route = greedyRoute(m);
    const { cost, feasible } = evaluate(m, route);
    expect(feasible).toBe(true);
    const floor = bks.get(name)!;
    expect(cost).toBeGreaterThanOrEqual(floor);
    const p = prep(name);
    expect(verdictFor(p, { ...finished, stdout: formatRoute(route, cost) })).toEqual({
      status: 3,
      valid: true,
      cost,
      reason: 'Solution Accepted.',
    });
    for (const claim of [floor, floor - 1, cost - 1, 0]) {
      if (claim === cost) continue;
      expect(verdictFor(p, { ...finished, stdout: formatRoute(route, claim) })).toEqual({
        status: 3,
        valid: false,
        cost,
        reason: 'Wrong cost calculation.',
      });
    }
    expect(walk(name, route, 40, name.length * 7919)).toBeGreaterThan(0);
  });

  it.each(expectedRows().filter((r) => r.file.includes('.bks.')))(
    'random edits of $file never go under its best-known cost',
    ({ file, instance }) => {
      const start = parseSolution(solutionText(file)).trips;
      expect(walk(instance, start, 400, 12345)).toBeGreaterThan(50);
    },
  );
});
