// The real piscina pool, running the TypeScript worker under vitest (see pool.ts for the loader).

import { afterAll, describe, expect, it } from 'vitest';
import { createCheckPool } from '../../../judge/carp/pool.js';
import { verdictFor } from '../../../src/carp/verdict.js';
import { expectedRows, instanceText, solutionText } from '../../carp/fixtures.js';

const finished = { timedout: false, exitcode: 0 };

describe('createCheckPool', () => {
  const pool = createCheckPool({ threads: 2 });
  afterAll(() => pool.close());

  it("gives the same verdicts as the direct call, computing each dataset's paths once per thread", async () => {
    const cases = expectedRows().flatMap(({ file, instance }) => {
      const stdout = solutionText(file);
      return [
        { instance, run: { ...finished, stdout } },
        { instance, run: { ...finished, stdout: stdout.replace(/^q \d+/m, 'q 1') } },
        { instance, run: { ...finished, stdout: stdout.replace(/\(\d+,\d+\),/, '') } },
      ];
    });
    const rounds = [...cases, ...cases, ...cases];
    const got = await Promise.all(
      rounds.map(({ instance, run }) => pool.verdict({ datasetKey: instance, instanceText: instanceText(instance), run })),
    );
    got.forEach((v, i) => {
      const { instance, run } = rounds[i]!;
      expect(v).toEqual(verdictFor(instanceText(instance), run));
    });
    const datasets = new Set(cases.map((c) => c.instance)).size; // 4
    const { hits, misses } = pool.stats();
    expect(hits + misses).toBe(rounds.length);
    expect(misses).toBeGreaterThanOrEqual(datasets);
    expect(misses).toBeLessThanOrEqual(datasets * 2); // at most once per dataset per thread
  });

  it('pre-check failures do not touch the cache; a changed text under the same key is recomputed', async () => {
    const before = pool.stats();
    const v = await pool.verdict({
      datasetKey: 'gdb23',
      instanceText: instanceText('gdb23'),
      run: { timedout: true, exitcode: -1, stdout: '' },
    });
    expect(v).toEqual({ status: 3, valid: false, cost: 0, reason: 'Timed out' });
    expect(pool.stats()).toEqual(before);

    // same key, other content: must not be judged with gdb23's cached graph
    const stdout = 's 0,(2,3),(3,4),0,0,(8,7),(7,6),(6,5),0\nq 25\n';
    for (let i = 0; i < 4; i++) {
      const w = await pool.verdict({ datasetKey: 'gdb23', instanceText: instanceText('sample'), run: { ...finished, stdout } });
      expect(w).toEqual({ status: 3, valid: true, cost: 25, reason: 'Solution Accepted.' });
    }
    const after = pool.stats();
    expect(after.misses - before.misses).toBeGreaterThanOrEqual(1);
    expect(after.misses - before.misses).toBeLessThanOrEqual(2);
  });

  it('a bad instance is an ERROR verdict from the worker too', async () => {
    const v = await pool.verdict({ datasetKey: 'bad', instanceText: 'nothing here', run: { ...finished, stdout: 'q 1' } });
    expect(v).toEqual({ status: 4, valid: false, cost: 0, reason: 'Error evaluating solution!' });
  });
});
