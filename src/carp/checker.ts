// Route checker with the original judge's order of checks and reason strings, verbatim
// (carp_oj_server Checker.checkSolution at HEAD; see shared/carp/JUDGE-RULES.md).

import { INT32_MAX, pairKey, type CarpInstance } from './instance.js';
import type { ShortestPaths } from './paths.js';
import type { ParsedSolution } from './solution.js';

export interface CheckResult {
  valid: boolean;
  cost: number;
  reason: string;
}

const REASONS = {
  noSuchNode: 'No such node in graph',
  invalidTask: 'Invalid tasks in some trip or duplicated tasks.',
  capacity: 'Exceeding Capacity Detected.',
  emptyTrip: 'No valid tasks in some trip.',
  unserved: 'There are still tasks not accomplished.',
  wrongCost: 'Wrong cost calculation.',
  accepted: 'Solution Accepted.',
} as const;

const reject = (reason: string): CheckResult => ({ valid: false, cost: 0, reason });

/**
 * Throws where the Java judge threw (the verdict layer makes those ERROR verdicts):
 * a task node id past int32 (NumberFormatException) and an unreachable leg (null unboxing).
 */
export function checkSolution(instance: CarpInstance, paths: ShortestPaths, parsed: ParsedSolution): CheckResult {
  const { n, dist } = paths;
  const { indexOf, tasks, taskOf, capacity } = instance;
  const served = new Uint8Array(tasks.length);
  let left = tasks.length;
  // Served tasks in route order (each task once, so tasks.length bounds them), for the cost pass.
  const from = new Int32Array(tasks.length);
  const to = new Int32Array(tasks.length);
  const which = new Int32Array(tasks.length);
  const tripEnd = new Int32Array(parsed.trips.length);
  let k = 0;

  // Validity: trip by trip, task by task; the first failure met wins.
  for (let r = 0; r < parsed.trips.length; r++) {
    const trip = parsed.trips[r]!;
    let load = 0;
    for (const [u, v] of trip) {
      if (u > INT32_MAX || v > INT32_MAX) throw new Error(`task node id (${u},${v}) is not an int`);
      const a = indexOf.get(u);
      const b = indexOf.get(v);
      if (a === undefined || b === undefined) return reject(REASONS.noSuchNode);
      const t = taskOf.get(pairKey(a, b, n));
      if (t === undefined || served[t]) return reject(REASONS.invalidTask);
      served[t] = 1;
      left--;
      from[k] = a;
      to[k] = b;
      which[k++] = t;
      // Java int arithmetic (wraps); upload validation keeps real datasets far from it.
      load = (load + tasks[t]!.demand) | 0;
      if (load > capacity) return reject(REASONS.capacity);
    }
    if (trip.length === 0) return reject(REASONS.emptyTrip);
    tripEnd[r] = k;
  }
  if (left > 0) return reject(REASONS.unserved);

  // Cost: depot -> first task start, task edge, end -> next start, ..., last end -> depot,
  // each task served in the printed direction (Java int sums, see above).
  const depot = instance.depotIndex;
  const leg = (x: number, y: number): number => {
    const d = dist[x * n + y]!;
    if (d === Infinity) {
      throw new Error(`no path from node ${instance.nodeIds[x]} to node ${instance.nodeIds[y]}`);
    }
    return d;
  };
  let total = 0;
  let i = 0;
  for (let r = 0; r < tripEnd.length; r++) {
    let at = depot;
    for (const end = tripEnd[r]!; i < end; i++) {
      total = (total + leg(at, from[i]!)) | 0;
      total = (total + tasks[which[i]!]!.cost) | 0;
      at = to[i]!;
    }
    total = (total + leg(at, depot)) | 0;
  }
  if (total !== parsed.claimed) return { valid: false, cost: total, reason: REASONS.wrongCost };
  return { valid: true, cost: total, reason: REASONS.accepted };
}
