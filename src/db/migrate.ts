import type { Client } from './types.js';
import { inTransaction } from './tx.js';

export interface Migration {
  /** File name, e.g. `0001_identity.sql`: its numeric prefix orders it. */
  name: string;
  sql: string;
}

const MIGRATION_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export function sortMigrations(migrations: Migration[]): Migration[] {
  for (const m of migrations) {
    if (!MIGRATION_NAME.test(m.name)) throw new Error(`Migration file name not of the form 0001_name.sql: ${m.name}`);
  }
  const sorted = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  for (const m of sorted) {
    const num = m.name.slice(0, 4);
    if (seen.has(num)) throw new Error(`Two migrations share the number ${num}`);
    seen.add(num);
  }
  return sorted;
}

/**
 * Applies the migrations not yet recorded, in order. Each runs in its own transaction together
 * with its record, so a failing one leaves the database as it was before it. Nodes starting at
 * once on one database each apply what the others have not: a write transaction holds the
 * database's write lock from its start, and each looks again there before it applies.
 */
export async function migrate(db: Client, migrations: Migration[]): Promise<string[]> {
  await db.execute('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set((await db.execute('SELECT name FROM schema_migrations')).rows.map((r) => String(r.name)));
  const applied: string[] = [];
  for (const m of sortMigrations(migrations)) {
    if (done.has(m.name)) continue;
    const ran = await inTransaction(db, async (tx) => {
      const recorded = await tx.execute({ sql: 'SELECT 1 FROM schema_migrations WHERE name = ?', args: [m.name] });
      if (recorded.rows.length > 0) return false;
      await tx.executeMultiple(m.sql);
      await tx.execute({ sql: 'INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', args: [m.name, Date.now()] });
      return true;
    });
    if (ran) applied.push(m.name);
  }
  return applied;
}
