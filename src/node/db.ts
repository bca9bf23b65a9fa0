import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { createClient, type Client } from '@libsql/client';
import type { Migration } from '../db/migrate.js';
import { databaseFetch } from '../db/remote.js';
import type { Logger } from '../observe/logger.js';

/**
 * Opens libSQL: a local file (directory created, WAL, busy timeout) or a libsql:// / http:// server
 * (bounded exchanges, `unavailable` while it cannot be reached; `log` hears of its outages).
 */
export async function openDatabase(url: string, authToken: string | undefined, log: Logger): Promise<Client> {
  const local = url.startsWith('file:');
  if (local) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  const db = createClient({ url, authToken, timeout: 5000, intMode: 'number', fetch: databaseFetch(log) });
  if (local) await db.execute('PRAGMA journal_mode = WAL');
  return db;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** The numbered .sql files of migrations/, read from disk. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((name) => ({ name, sql: readFileSync(`${dir}/${name}`, 'utf8') }));
}
