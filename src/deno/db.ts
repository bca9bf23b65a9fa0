import { createClient } from '@libsql/client';
import type { Migration } from '../db/migrate.js';
import { databaseFetch } from '../db/remote.js';
import type { Client } from '../db/types.js';
import type { Logger } from '../observe/logger.js';
import { Deno } from './runtime.js';

/**
 * libSQL under Deno, as on Node: a local file (its directory created, WAL) through the native driver
 * Deno loads from node_modules, or a libsql:// / http:// server.
 */
export async function openDatabase(url: string, authToken: string | undefined, log: Logger): Promise<Client> {
  const local = url.startsWith('file:');
  if (local) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    if (dir && path !== ':memory:') Deno.mkdirSync(dir, { recursive: true });
  }
  const db = createClient({ url, authToken, timeout: 5000, intMode: 'number', fetch: databaseFetch(log) });
  if (local) await db.execute('PRAGMA journal_mode = WAL');
  return db;
}

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

/** The numbered .sql files of migrations/, read from disk. */
export function loadMigrations(): Migration[] {
  return [...Deno.readDirSync(MIGRATIONS_DIR)]
    .filter((e) => e.isFile && e.name.endsWith('.sql'))
    .map((e) => ({ name: e.name, sql: Deno.readTextFileSync(new URL(e.name, MIGRATIONS_DIR)) }));
}
