import { createClient } from '@libsql/client';

/** Every stored row of the domain tables (not sessions), to prove a rejected call changed nothing. */
export async function snapshot(dbUrl: string, tables = ['users', 'datasets', 'cases']): Promise<string> {
  const db = createClient({ url: dbUrl });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of tables) out[t] = (await db.execute(`SELECT * FROM ${t} ORDER BY rowid`)).rows.map((r) => ({ ...r }));
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}
