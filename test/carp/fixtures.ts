// Test support: the shared CARP files (read in place) and an independent route toolkit.
// The route cost here uses its own edge reading and Floyd-Warshall, so agreement with the
// checker (Dijkstra over parseInstance's graph) is a real cross-check.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/services/judge/generator.js';

const SHARED = new URL('../../../shared/carp/', import.meta.url);
export const sharedPath = (rel: string): string => fileURLToPath(new URL(rel, SHARED));

export const instanceNames = (): string[] =>
  readdirSync(sharedPath('instances/'))
    .filter((f) => f.endsWith('.dat'))
    .map((f) => f.slice(0, -4))
    .sort();

export const instanceText = (name: string): string => readFileSync(sharedPath(`instances/${name}.dat`), 'utf8');

export const solutionText = (file: string): string => readFileSync(sharedPath(`solutions/${file}`), 'utf8');

function tsv(rel: string): Array<Record<string, string>> {
  const [head, ...rows] = readFileSync(sharedPath(rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const cols = (head as string).split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
}

export const bestKnown = (): Map<string, number> => new Map(tsv('best-known.tsv').map((r) => [r.instance as string, Number(r.best_known_cost)]));

export interface ExpectedRow {
  file: string;
  instance: string;
  valid: boolean;
  cost: number;
}
export const expectedRows = (): ExpectedRow[] =>
  tsv('solutions/EXPECTED.tsv').map((r) => ({
    file: r.file as string,
    instance: r.instance as string,
    valid: r.expected_valid === 'true',
    cost: Number(r.expected_cost),
  }));

// ---- independent model of an instance -------------------------------------------------

export interface Model {
  depot: number;
  capacity: number;
  ids: number[];
  idx: Map<number, number>;
  dist: number[][]; // Floyd-Warshall
  tasks: Array<{ u: number; v: number; cost: number; demand: number }>;
}

export function model(text: string): Model {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const num = (prefix: string): number => Number(/\d+/.exec(lines.find((l) => l.startsWith(prefix)) ?? '')?.[0]);
  const depot = num('DEPOT');
  const capacity = num('CAPACITY');
  const edges = lines.filter((l) => /^\d+\s+\d+\s+\d+\s+\d+$/.test(l)).map((l) => l.split(/\s+/).map(Number) as [number, number, number, number]);
  const ids = [...new Set([...edges.flatMap((e) => [e[0], e[1]]), depot])];
  const idx = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const dist = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : Infinity)));
  for (const [u, v, c] of edges) {
    const a = idx.get(u)!;
    const b = idx.get(v)!;
    if (c < dist[a]![b]!) dist[a]![b] = dist[b]![a] = c;
  }
  for (let k = 0; k < n; k++) {
    const dk = dist[k]!;
    for (let i = 0; i < n; i++) {
      const di = dist[i]!;
      const dik = di[k]!;
      if (dik === Infinity) continue;
      for (let j = 0; j < n; j++) if (dik + dk[j]! < di[j]!) di[j] = dik + dk[j]!;
    }
  }
  const tasks = edges.filter((e) => e[3] > 0).map(([u, v, cost, demand]) => ({ u, v, cost, demand }));
  return { depot, capacity, ids, idx, dist, tasks };
}

export type Route = Array<Array<[number, number]>>;

/** Route cost (tasks as printed) and whether it serves every task once within capacity. */
export function evaluate(m: Model, route: Route): { cost: number; feasible: boolean } {
  const d = (x: number, y: number): number => m.dist[m.idx.get(x)!]![m.idx.get(y)!]!;
  const key = (u: number, v: number): string => (u < v ? `${u}-${v}` : `${v}-${u}`);
  const byKey = new Map(m.tasks.map((t) => [key(t.u, t.v), t]));
  const seen = new Set<string>();
  let cost = 0;
  let feasible = true;
  for (const trip of route) {
    let at = m.depot;
    let load = 0;
    if (trip.length === 0) feasible = false;
    for (const [u, v] of trip) {
      const t = byKey.get(key(u, v));
      if (!t || seen.has(key(u, v))) {
        feasible = false;
        continue;
      }
      seen.add(key(u, v));
      load += t.demand;
      cost += d(at, u) + t.cost;
      at = v;
    }
    if (load > m.capacity) feasible = false;
    cost += d(at, m.depot);
  }
  return { cost, feasible: feasible && seen.size === m.tasks.length };
}

/** Path-scanning: nearest fitting task (either direction) until the vehicle is full. */
export function greedyRoute(m: Model): Route {
  const d = (x: number, y: number): number => m.dist[m.idx.get(x)!]![m.idx.get(y)!]!;
  const left = new Set(m.tasks.map((_, i) => i));
  const route: Route = [];
  while (left.size > 0) {
    const trip: Array<[number, number]> = [];
    let at = m.depot;
    let load = 0;
    for (;;) {
      let best: [number, number, number] | null = null; // task, from, to
      let bestD = Infinity;
      for (const i of left) {
        const t = m.tasks[i]!;
        if (load + t.demand > m.capacity) continue;
        for (const [x, y] of [
          [t.u, t.v],
          [t.v, t.u],
        ] as const) {
          if (d(at, x) < bestD) {
            bestD = d(at, x);
            best = [i, x, y];
          }
        }
      }
      if (!best) break;
      left.delete(best[0]);
      load += m.tasks[best[0]]!.demand;
      trip.push([best[1], best[2]]);
      at = best[2];
    }
    if (trip.length === 0) throw new Error('a task does not fit the capacity');
    route.push(trip);
  }
  return route;
}

/** Course output format: s 0,(u,v),...,0,0,(u,v),...,0 then q COST. */
export const formatRoute = (route: Route, q: number | null): string =>
  `s ${route.map((trip) => `0,${trip.map(([u, v]) => `(${u},${v})`).join(',')},0`).join(',')}\n${q === null ? '' : `q ${q}\n`}`;

/** Deterministic PRNG for the randomized route tests: the project's own seeded generator. */
export const rng = seededRandom;
