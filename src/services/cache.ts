/**
 * A small bounded map whose entries expire: hot reads (sessions, the dataset list) skip the
 * database; writers invalidate through the bus, so every node drops stale entries at once. A
 * cache dropped through a bus that does not reach every instance (`partial`) keeps nothing.
 */
export function busDroppedCache<K, V>(bus: { partial?: boolean }, ttlMs: number, maxEntries: number, now: () => number) {
  return expiringCache<K, V>(bus.partial ? 0 : ttlMs, maxEntries, now);
}

/** A small bounded map whose entries expire after `ttlMs` (0: nothing is kept). */
export function expiringCache<K, V>(ttlMs: number, maxEntries: number, now: () => number) {
  const entries = new Map<K, { value: V; until: number }>();
  return {
    get(key: K): V | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until <= now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    set(key: K, value: V, until = now() + ttlMs): void {
      if (ttlMs <= 0) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as K); // oldest first
      entries.set(key, { value, until: Math.min(until, now() + ttlMs) });
    },
    delete(key: K): void {
      entries.delete(key);
    },
    deleteWhere(match: (value: V) => boolean): void {
      for (const [k, e] of entries) if (match(e.value)) entries.delete(k);
    },
    clear(): void {
      entries.clear();
    },
  };
}
