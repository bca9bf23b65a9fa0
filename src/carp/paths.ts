// All-pairs shortest paths over the instance graph: one Dijkstra (binary heap) per node.
// O(n * m log n) beats Floyd-Warshall's n^3 on these sparse road graphs (EGL-G: 255 nodes, 375
// links), and stays fine for a few thousand nodes. Pure TS (no Node APIs).

import type { CarpInstance } from './instance.js';

export interface ShortestPaths {
  readonly n: number;
  /** Row-major n x n over dense node indices; Infinity = unreachable. */
  readonly dist: Float64Array;
}

/** Shortest path matrix for n nodes and undirected links [a, b, cost] (cost >= 0). */
export function allPairsShortestPaths(n: number, links: ReadonlyArray<readonly [number, number, number]>): Float64Array {
  // CSR adjacency, both directions.
  const deg = new Int32Array(n + 1);
  for (const [a, b] of links) {
    deg[a + 1]!++;
    deg[b + 1]!++;
  }
  for (let i = 0; i < n; i++) deg[i + 1]! += deg[i]!;
  const start = deg.slice();
  const to = new Int32Array(2 * links.length);
  const w = new Float64Array(2 * links.length);
  for (const [a, b, c] of links) {
    let k = start[a]!++;
    to[k] = b;
    w[k] = c;
    k = start[b]!++;
    to[k] = a;
    w[k] = c;
  }

  const dist = new Float64Array(n * n).fill(Infinity);
  // Heap of (distance, node) with lazy deletion; at most one entry per relaxation.
  const cap = 2 * links.length + 1;
  const hd = new Float64Array(cap);
  const hv = new Int32Array(cap);
  const done = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const row = s * n;
    done.fill(0);
    dist[row + s] = 0;
    let size = 1;
    hd[0] = 0;
    hv[0] = s;
    while (size > 0) {
      const d = hd[0]!;
      const u = hv[0]!;
      // pop: move last to root and sift down
      size--;
      if (size > 0) {
        const ld = hd[size]!;
        const lv = hv[size]!;
        let i = 0;
        for (;;) {
          let c = 2 * i + 1;
          if (c >= size) break;
          if (c + 1 < size && hd[c + 1]! < hd[c]!) c++;
          if (hd[c]! >= ld) break;
          hd[i] = hd[c]!;
          hv[i] = hv[c]!;
          i = c;
        }
        hd[i] = ld;
        hv[i] = lv;
      }
      if (done[u]) continue;
      done[u] = 1;
      for (let k = deg[u]!, end = deg[u + 1]!; k < end; k++) {
        const v = to[k]!;
        const nd = d + w[k]!;
        if (nd < dist[row + v]!) {
          dist[row + v] = nd;
          // push and sift up
          let i = size++;
          while (i > 0) {
            const p = (i - 1) >> 1;
            if (hd[p]! <= nd) break;
            hd[i] = hd[p]!;
            hv[i] = hv[p]!;
            i = p;
          }
          hd[i] = nd;
          hv[i] = v;
        }
      }
    }
  }
  return dist;
}

export function shortestPaths(instance: CarpInstance): ShortestPaths {
  const n = instance.nodeIds.length;
  return { n, dist: allPairsShortestPaths(n, instance.links) };
}
