/** A seeded generator of CARP instances in the course format, for test data and benchmarks. */

/** mulberry32: tiny, fast, good enough to make repeatable instances. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedInstance {
  name: string;
  text: string;
}

/**
 * A connected graph: a random spanning tree plus extra edges; about two thirds of the edges
 * are required. Costs 1..20, demands 1..5, capacity large enough for any single task.
 */
export function generateInstance(name: string, vertices: number, extraEdges: number, seed: number): GeneratedInstance {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const seen = new Set<string>();
  const edges: Array<[number, number, number, number]> = [];
  const add = (u: number, v: number) => {
    const key = u < v ? `${u}-${v}` : `${v}-${u}`;
    if (u === v || seen.has(key)) return;
    seen.add(key);
    const required = rnd() < 2 / 3;
    edges.push([u, v, int(1, 20), required ? int(1, 5) : 0]);
  };
  for (let v = 2; v <= vertices; v++) add(int(1, v - 1), v);
  for (let i = 0; i < extraEdges; i++) add(int(1, vertices), int(1, vertices));
  if (!edges.some((e) => e[3] > 0)) edges[0]![3] = 1;
  const required = edges.filter((e) => e[3] > 0);
  const demand = required.reduce((s, e) => s + e[3], 0);
  const capacity = Math.max(10, Math.ceil(demand / 4));
  const lines = [
    `NAME : ${name}`,
    `VERTICES : ${vertices}`,
    'DEPOT : 1',
    `REQUIRED EDGES : ${required.length}`,
    `NON-REQUIRED EDGES : ${edges.length - required.length}`,
    `VEHICLES : ${Math.ceil(demand / capacity) + 1}`,
    `CAPACITY : ${capacity}`,
    `TOTAL COST OF REQUIRED EDGES : ${required.reduce((s, e) => s + e[2], 0)}`,
    'NODES       COST         DEMAND',
    ...edges.map(([u, v, c, d]) => `${u}   ${v}   ${c}       ${d}`),
    'END',
  ];
  return { name, text: lines.join('\n') };
}
