import { describe, expect, it } from 'vitest';
import { parseInstance, validateInstanceText } from '../../src/carp/instance.js';
import { allPairsShortestPaths, shortestPaths } from '../../src/carp/paths.js';
import { verdictFor } from '../../src/carp/verdict.js';
import { evaluate, formatRoute, greedyRoute, instanceNames, instanceText, model } from './fixtures.js';

const names = instanceNames();

describe('parseInstance on the shipped instances', () => {
  it('ships 92 instances', () => {
    expect(names).toHaveLength(92);
  });

  it.each(names)('%s parses, headers agree with the edges, paths match Floyd-Warshall', (name) => {
    const text = instanceText(name);
    const inst = parseInstance(text);
    expect(inst.name).toMatch(/\S/); // informational; some files carry another name (gdb13a)
    expect(inst.depot).toBe(1);
    expect(inst.nodeIds).toHaveLength(inst.vertices!);
    expect(inst.tasks).toHaveLength(inst.requiredEdges!);
    expect(inst.edges.length - inst.tasks.length).toBe(inst.nonRequiredEdges);
    expect(inst.vehicles).toBeGreaterThan(0);
    expect(validateInstanceText(text)).toBeNull();

    const m = model(text);
    const sp = shortestPaths(inst);
    for (let i = 0; i < m.ids.length; i++) {
      for (let j = 0; j < m.ids.length; j++) {
        const a = inst.indexOf.get(m.ids[i]!)!;
        const b = inst.indexOf.get(m.ids[j]!)!;
        if (sp.dist[a * sp.n + b] !== m.dist[i]![j]) {
          throw new Error(`${name}: sp(${m.ids[i]},${m.ids[j]}) = ${sp.dist[a * sp.n + b]}, Floyd ${m.dist[i]![j]}`);
        }
      }
    }
  });

  it('ignores the TOTAL COST header (gdb12: 334 for edges summing to 336; val: Belenguer values)', () => {
    const gdb12 = parseInstance(instanceText('gdb12'));
    expect(gdb12.totalCost).toBe(334);
    expect(gdb12.tasks.reduce((s, t) => s + t.cost, 0)).toBe(336);
    // the same route gets the same verdict whatever the header says (val1A's CARPLIB file says 220)
    for (const [name, header] of [
      ['gdb12', 334],
      ['gdb12', 336],
      ['val1A', 220],
      ['val10D', 0],
    ] as const) {
      const text = instanceText(name);
      const m = model(text);
      const route = greedyRoute(m);
      const { cost } = evaluate(m, route);
      const run = { timedout: false, exitcode: 0, stdout: formatRoute(route, cost) };
      const bumped = text.replace(/TOTAL COST OF REQUIRED EDGES : \d+/, `TOTAL COST OF REQUIRED EDGES : ${header}`);
      expect(parseInstance(bumped).totalCost).toBe(header);
      expect(verdictFor(bumped, run)).toEqual(verdictFor(text, run));
      expect(verdictFor(bumped, run)).toEqual({ status: 3, valid: true, cost, reason: 'Solution Accepted.' });
    }
  });
});

const tiny = ['NAME : tiny', 'VERTICES : 3', 'DEPOT : 1', 'CAPACITY : 10', '1 2 3 4', '2 3 5 0', 'END'];

describe('parseInstance details', () => {
  it('reads \\r\\n and lone \\r line endings like \\n (Java Scanner.nextLine)', () => {
    const lf = parseInstance(tiny.join('\n'));
    expect(parseInstance(tiny.join('\r\n'))).toEqual(lf);
    expect(parseInstance(tiny.join('\r'))).toEqual(lf);
    expect(lf.edges).toEqual([
      { u: 1, v: 2, cost: 3, demand: 4 },
      { u: 2, v: 3, cost: 5, demand: 0 },
    ]);
    expect(lf.tasks).toHaveLength(1);
  });

  it('trims lines, takes the first number of CAPACITY/DEPOT, ignores other shapes', () => {
    const inst = parseInstance(
      ['DEPOT : 2 (the depot)', '  CAPACITY : 7 units  ', ' 1  2\t3 4 ', '1 2 3', '1 2 3 4 5', '-1 2 3 4', 'x 1 2 3 4'].join('\n'),
    );
    expect(inst.depot).toBe(2);
    expect(inst.capacity).toBe(7);
    expect(inst.edges).toEqual([{ u: 1, v: 2, cost: 3, demand: 4 }]);
  });

  it('merges a repeated pair like the Java maps did: last cost, last positive demand, still a task', () => {
    const inst = parseInstance(['DEPOT : 1', 'CAPACITY : 9', '1 2 5 3', '2 1 7 0', '1 3 1 1'].join('\n'));
    expect(inst.tasks.map(({ u, v, cost, demand }) => ({ u, v, cost, demand }))).toEqual([
      { u: 1, v: 2, cost: 7, demand: 3 },
      { u: 1, v: 3, cost: 1, demand: 1 },
    ]);
    expect(inst.links).toContainEqual([0, 1, 7]);
  });

  it.each([
    ['no DEPOT line', ['CAPACITY : 5', '1 2 3 4']],
    ['no CAPACITY line', ['DEPOT : 1', '1 2 3 4']],
    ['no edge lines', ['DEPOT : 1', 'CAPACITY : 5', 'END']],
    ['CAPACITY line has no number', ['DEPOT : 1', 'CAPACITY : x', '1 2 3 4']],
    ['does not fit a 32-bit int', ['DEPOT : 1', 'CAPACITY : 5', '1 2 3 2147483648']],
  ])('throws a clear error: %s', (message, lines) => {
    expect(() => parseInstance(lines.join('\n'))).toThrow(message);
    expect(validateInstanceText(lines.join('\n'))).toContain(message);
  });

  it('validateInstanceText refuses datasets no route can pass', () => {
    const base = ['DEPOT : 1', 'CAPACITY : 5'];
    expect(validateInstanceText([...base, '1 2 3 4'].join('\n'))).toBeNull();
    expect(validateInstanceText([...base, '1 2 3 0'].join('\n'))).toMatch(/no required edge/);
    expect(validateInstanceText([...base, '1 2 3 4', '3 4 1 1'].join('\n'))).toMatch(/\(3,4\) is not reachable/);
    expect(validateInstanceText([...base, '1 2 3 6'].join('\n'))).toMatch(/demand 6 > capacity 5/);
    expect(validateInstanceText([...base, '1 2 2000000000 4'].join('\n'))).toMatch(/overflow/);
  });
});

describe('allPairsShortestPaths', () => {
  it('handles unreachable nodes, zero costs and parallel routes', () => {
    const d = allPairsShortestPaths(4, [
      [0, 1, 5],
      [1, 2, 0],
      [0, 2, 7],
    ]);
    expect(Array.from(d)).toEqual([0, 5, 5, Infinity, 5, 0, 0, Infinity, 5, 0, 0, Infinity, Infinity, Infinity, Infinity, 0]);
  });
});
