// CARP instance parser, as the original judge (carp_oj_server Checker.parseGraph) read datasets.
// Pure TypeScript, no Node APIs: the gateway also uses it to validate datasets on upload.

interface CarpEdge {
  u: number;
  v: number;
  cost: number;
  demand: number;
}

/** One required edge (an unordered node pair), merged the way the Java judge merged duplicates. */
interface CarpTask {
  u: number; // node ids as first listed
  v: number;
  a: number; // dense indices of u and v
  b: number;
  cost: number; // last cost listed for the pair (Java costMap.put overwrote)
  demand: number; // last positive demand listed for the pair (demandMap only got demand > 0)
}

export interface CarpInstance {
  // Header fields: informational only; the judge never read them (gdb12/val headers are wrong).
  name: string | null;
  vertices: number | null;
  requiredEdges: number | null;
  nonRequiredEdges: number | null;
  vehicles: number | null;
  totalCost: number | null;
  // What the judge checked with.
  depot: number;
  capacity: number;
  edges: CarpEdge[]; // every edge line, file order
  /** Graph nodes = edge endpoints + depot (Java's nodeMap); dense index -> node id. */
  nodeIds: number[];
  indexOf: Map<number, number>;
  depotIndex: number;
  tasks: CarpTask[];
  /** pairKey(a, b) -> index into tasks. */
  taskOf: Map<number, number>;
  /** Undirected links for shortest paths: [a, b, cost], one per pair, last listed cost wins
   *  (Java's adjacency map put overwrote); self loops dropped (they never shorten a path). */
  links: Array<[number, number, number]>;
}

export const INT32_MAX = 2147483647;

/** Key of an unordered pair of dense indices. */
export function pairKey(a: number, b: number, n: number): number {
  return a <= b ? a * n + b : b * n + a;
}

// Java Scanner.nextLine() line terminators: \r\n, \n, \r, \u2028, \u2029, \u0085.
export const JAVA_LINE_SPLIT = /\r\n|[\n\r\u2028\u2029\u0085]/;
// Java's \s is ASCII-only; JS \s also matches \u00a0, \ufeff etc., so spell Java's class out.
const JAVA_TRIM = /^[ \t\n\x0B\f\r]+|[ \t\n\x0B\f\r]+$/g;
const EDGE_LINE = /^(\d+)[ \t\n\x0B\f\r]+(\d+)[ \t\n\x0B\f\r]+(\d+)[ \t\n\x0B\f\r]+(\d+)$/;
const FIRST_INT = /\d+/;

/** Integer.parseInt of a digit run: anything past int32 threw NumberFormatException in Java. */
export function parseJavaInt(digits: string, what: string): number {
  const n = Number(digits);
  if (!(n <= INT32_MAX)) throw new Error(`${what}: ${digits} does not fit a 32-bit int`);
  return n;
}

function firstInt(line: string, what: string): number | null {
  const m = FIRST_INT.exec(line);
  return m ? parseJavaInt(m[0], what) : null;
}

export function parseInstance(text: string): CarpInstance {
  let name: string | null = null;
  let vertices: number | null = null;
  let requiredEdges: number | null = null;
  let nonRequiredEdges: number | null = null;
  let vehicles: number | null = null;
  let totalCost: number | null = null;
  let depot: number | null = null;
  let capacity: number | null = null;
  const edges: CarpEdge[] = [];

  const lines = text.split(JAVA_LINE_SPLIT);
  for (let i = 0; i < lines.length; i++) {
    // Trimmed (our choice): the Java judge matched untrimmed lines, which only differs for
    // indented or trailing-blank lines (Java ignored such edges); no shipped file has one.
    const line = (lines[i] as string).replace(JAVA_TRIM, '');
    const where = `line ${i + 1}`;
    if (line.startsWith('CAPACITY')) {
      // Last CAPACITY/DEPOT line wins, first number on it (Java getField).
      capacity = firstInt(line, where);
      if (capacity === null) throw new Error(`${where}: CAPACITY line has no number`);
    } else if (line.startsWith('DEPOT')) {
      depot = firstInt(line, where);
      if (depot === null) throw new Error(`${where}: DEPOT line has no number`);
    } else {
      const m = EDGE_LINE.exec(line);
      if (m) {
        edges.push({
          u: parseJavaInt(m[1] as string, where),
          v: parseJavaInt(m[2] as string, where),
          cost: parseJavaInt(m[3] as string, where),
          demand: parseJavaInt(m[4] as string, where),
        });
      } else if (line.startsWith('NAME')) {
        name = line.replace(/^NAME[ \t]*:?[ \t]*/, '');
      } else if (line.startsWith('VERTICES')) {
        vertices = firstInt(line, where);
      } else if (line.startsWith('REQUIRED EDGES')) {
        requiredEdges = firstInt(line, where);
      } else if (line.startsWith('NON-REQUIRED EDGES')) {
        nonRequiredEdges = firstInt(line, where);
      } else if (line.startsWith('VEHICLES')) {
        vehicles = firstInt(line, where);
      } else if (line.startsWith('TOTAL COST')) {
        totalCost = firstInt(line, where);
      }
    }
  }
  // The Java judge defaulted these (depot 0, capacity 0) and then failed or rejected everything;
  // an explicit error is clearer and the caller turns it into an ERROR verdict.
  if (depot === null) throw new Error('instance has no DEPOT line');
  if (capacity === null) throw new Error('instance has no CAPACITY line');
  if (edges.length === 0) throw new Error('instance has no edge lines ("u v cost demand")');

  // Node ids in first-seen order: edges, then the depot (Java added it via setDeport/checkNode).
  const nodeIds: number[] = [];
  const indexOf = new Map<number, number>();
  const node = (id: number): number => {
    let k = indexOf.get(id);
    if (k === undefined) {
      k = nodeIds.length;
      indexOf.set(id, k);
      nodeIds.push(id);
    }
    return k;
  };
  const ends = edges.map((e) => [node(e.u), node(e.v)] as const);
  const depotIndex = node(depot);
  const n = nodeIds.length;

  // Merge per unordered pair with Java's HashMap/HashSet semantics (see CarpTask).
  const pairCost = new Map<number, number>();
  const tasks: CarpTask[] = [];
  const taskOf = new Map<number, number>();
  edges.forEach((e, i) => {
    const [a, b] = ends[i] as readonly [number, number];
    const key = pairKey(a, b, n);
    pairCost.set(key, e.cost);
    if (e.demand > 0) {
      const t = taskOf.get(key);
      if (t === undefined) {
        taskOf.set(key, tasks.length);
        tasks.push({ u: e.u, v: e.v, a, b, cost: e.cost, demand: e.demand });
      } else {
        (tasks[t] as CarpTask).demand = e.demand;
      }
    }
  });
  const links: Array<[number, number, number]> = [];
  for (const [key, cost] of pairCost) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    if (a !== b) links.push([a, b, cost]);
  }
  for (const t of tasks) t.cost = pairCost.get(pairKey(t.a, t.b, n)) as number;

  return {
    name,
    vertices,
    requiredEdges,
    nonRequiredEdges,
    vehicles,
    totalCost,
    depot,
    capacity,
    edges,
    nodeIds,
    indexOf,
    depotIndex,
    tasks,
    taskOf,
    links,
  };
}

/** Upload-time limit on distinct nodes: the judge keeps an n x n float64 distance matrix. */
const MAX_NODES = 4096;

/**
 * Dataset validation for uploads: null when usable, else a message. Stricter than the judge on
 * purpose: it also refuses datasets on which no route could ever be judged sanely.
 */
export function validateInstanceText(text: string): string | null {
  let inst: CarpInstance;
  try {
    inst = parseInstance(text);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  const n = inst.nodeIds.length;
  if (n > MAX_NODES) return `too many nodes: ${n} (limit ${MAX_NODES})`;
  if (inst.tasks.length === 0) return 'instance has no required edge (demand > 0)';

  // Every task must be reachable from the depot, or the judge errors on any complete route.
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of inst.links) {
    (adj[a] as number[]).push(b);
    (adj[b] as number[]).push(a);
  }
  const seen = new Uint8Array(n);
  const stack = [inst.depotIndex];
  seen[inst.depotIndex] = 1;
  while (stack.length > 0) {
    for (const w of adj[stack.pop() as number] as number[]) {
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  let sumLinks = 0;
  let sumTasks = 0;
  let maxDemand = 0;
  for (const t of inst.tasks) {
    if (!seen[t.a]) return `required edge (${t.u},${t.v}) is not reachable from the depot`;
    if (t.demand > inst.capacity) {
      return `required edge (${t.u},${t.v}) has demand ${t.demand} > capacity ${inst.capacity}`;
    }
    maxDemand = Math.max(maxDemand, t.demand);
    sumTasks += t.cost;
  }
  for (const [, , c] of inst.links) sumLinks += c;
  // The judge sums in 32-bit ints like Java did; refuse datasets where that could wrap:
  // a route costs at most sum(task costs) + 2 * tasks * (longest shortest path <= sum of links).
  if (sumTasks + 2 * inst.tasks.length * sumLinks > INT32_MAX) {
    return 'edge costs too large: a route cost could overflow a 32-bit int';
  }
  if (inst.capacity + maxDemand > INT32_MAX) return 'capacity too large for 32-bit loads';
  return null;
}
