import type { InValue, Row } from '@libsql/client';
import type { Executor } from './types.js';

/** Keys per `IN (...)` list: well under SQLite's bound-parameter cap, so a long list is a few statements, not one per key. */
const IN_CHUNK = 500;

/**
 * The rows of `sql(list)` for every key, `list` being one chunk's `?, ?, ...` (bound to its keys):
 * one statement per IN_CHUNK keys. Rows of a chunk come in the SQL's
 * order; a caller that groups rows per key keeps each key's order, its rows all being in one chunk.
 */
export async function rowsIn(ex: Executor, keys: readonly InValue[], sql: (list: string) => string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let i = 0; i < keys.length; i += IN_CHUNK) {
    const chunk = keys.slice(i, i + IN_CHUNK);
    const rs = await ex.execute({ sql: sql(chunk.map(() => '?').join(', ')), args: [...chunk] });
    rows.push(...rs.rows);
  }
  return rows;
}
