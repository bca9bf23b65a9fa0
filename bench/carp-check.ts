// CARP checker throughput on the largest shipped instance, beside baselines measured in the same
// run (so the ratios, unlike raw ops/s, carry across machines).
// Run: npx tsx bench/carp-check.ts

import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { checkSolution } from '../src/carp/checker.js';
import { parseInstance } from '../src/carp/instance.js';
import { parseSolution } from '../src/carp/solution.js';
import { prepareInstance, verdictFor } from '../src/carp/verdict.js';
import { evaluate, formatRoute, greedyRoute, model, sharedPath } from '../test/carp/fixtures.js';

export interface BenchRow {
  name: string;
  opsPerSec: number;
  baselineOpsPerSec: number;
  ratio: number;
}

let sink = 0; // keeps results observable so nothing is optimised away

function opsPerSec(fn: () => unknown, ms: number): number {
  const warm = performance.now() + ms / 4;
  while (performance.now() < warm) fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 16; i++) if (fn()) sink++;
    n += 16;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

function row(name: string, fn: () => unknown, baseline: () => unknown, ms: number): BenchRow {
  const ops = opsPerSec(fn, ms);
  const base = opsPerSec(baseline, ms);
  return { name, opsPerSec: Math.round(ops), baselineOpsPerSec: Math.round(base), ratio: Number((ops / base).toFixed(3)) };
}

/** Largest shipped instance: most required edges (the longest route), then most nodes; ties go
 *  to the last name (EGL-G2-E, the largest capacity: longest trips). */
function largestInstance(): { name: string; text: string } {
  let best = { name: '', text: '', size: -1 };
  for (const f of readdirSync(sharedPath('instances/')).sort()) {
    if (!f.endsWith('.dat')) continue;
    const text = readFileSync(sharedPath(`instances/${f}`), 'utf8');
    const inst = parseInstance(text);
    const size = inst.tasks.length * 1e6 + inst.nodeIds.length;
    if (size >= best.size) best = { name: f.slice(0, -4), text, size };
  }
  return best;
}

export async function run(options: { ms?: number } = {}): Promise<BenchRow[]> {
  const ms = options.ms ?? 1000;
  const { name, text } = largestInstance();
  const m = model(text);
  const route = greedyRoute(m);
  const { cost } = evaluate(m, route);
  const stdout = formatRoute(route, cost);
  const prepared = prepareInstance(text);
  const finished = { timedout: false, exitcode: 0, stdout };
  const check = verdictFor(prepared, finished);
  if (!check.valid || check.cost !== cost) throw new Error(`bench route not accepted: ${JSON.stringify(check)}`);
  const parsed = parseSolution(stdout);
  const tasks = route.reduce((s, t) => s + t.length, 0);
  // Same-size JSON text: the route as nested arrays, padded to the stdout's length.
  const json = JSON.stringify({ route, pad: '' });
  const sameSizeJson = JSON.stringify({ route, pad: 'x'.repeat(Math.max(0, stdout.length - json.length)) });

  const label = `${name} (${prepared.instance.nodeIds.length} nodes, ${tasks} tasks, ${route.length} trips, ${stdout.length} B stdout)`;
  return [
    row(
      `verdict, cached paths: ${label} vs JSON.parse same size`,
      () => verdictFor(prepared, finished).valid,
      () => JSON.parse(sameSizeJson),
      ms,
    ),
    row(
      `checkSolution only vs parseSolution only: ${name}`,
      () => checkSolution(prepared.instance, prepared.paths, parsed).valid,
      () => parseSolution(stdout).trips.length,
      ms,
    ),
    row(
      `prepareInstance (parse + all-pairs paths) vs verdict with cached paths: ${name}`,
      () => prepareInstance(text).paths.n,
      () => verdictFor(prepared, finished).valid,
      ms,
    ),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  for (const r of rows) {
    console.log(`${r.name}\n  ${r.opsPerSec} ops/s, baseline ${r.baselineOpsPerSec} ops/s, ratio ${r.ratio}`);
  }
  if (sink < 0) console.log(sink);
}
