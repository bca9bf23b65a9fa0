import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, sortMigrations } from '../../src/db/migrate.js';
import { loadMigrations } from '../../src/node/db.js';
import { startSqld } from '../helpers/sqld.js';

let dir: string;
let db: Client;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-migrate-'));
  db = createClient({ url: `file:${join(dir, 'm.db')}` });
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const tables = async () => (await db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows.map((r) => r.name);

describe('migrations', () => {
  it('apply the project files in order, once, and record them', async () => {
    const files = loadMigrations();
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
    const first = await migrate(db, files);
    expect(first).toEqual(files.map((f) => f.name));
    expect(await tables()).toEqual(expect.arrayContaining(['users', 'sessions', 'datasets', 'cases', 'schema_migrations']));
    expect(await migrate(db, files)).toEqual([]);
    const recorded = (await db.execute('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
    expect(recorded).toEqual(files.map((f) => f.name));
  });

  // (Over a libSQL server, as nodes share one; clients of one file in one process would wait on
  // each other's lock in the same thread.)
  it('nodes starting at once on one fresh libSQL server apply each migration once between them', async () => {
    const files = loadMigrations();
    const server = await startSqld();
    const nodes = [0, 1, 2].map(() => createClient({ url: server.url }));
    try {
      const applied = await Promise.all(nodes.map((n) => migrate(n, files)));
      expect(applied.flat().sort()).toEqual(files.map((f) => f.name));
      const recorded = await nodes[0]!.execute('SELECT name FROM schema_migrations ORDER BY name');
      expect(recorded.rows.map((r) => r.name)).toEqual(files.map((f) => f.name));
    } finally {
      for (const n of nodes) n.close();
      await server.stop();
    }
  });

  it('run in numeric order whatever order they are given in', async () => {
    const applied = await migrate(db, [
      { name: '0002_b.sql', sql: 'ALTER TABLE a ADD COLUMN y INTEGER;' },
      { name: '0001_a.sql', sql: 'CREATE TABLE a (x INTEGER);' },
    ]);
    expect(applied).toEqual(['0001_a.sql', '0002_b.sql']);
  });

  it('a failing migration leaves the database as it was and is not recorded', async () => {
    await migrate(db, [{ name: '0001_a.sql', sql: 'CREATE TABLE a (x INTEGER);' }]);
    await expect(
      migrate(db, [
        { name: '0001_a.sql', sql: 'CREATE TABLE a (x INTEGER);' },
        { name: '0002_bad.sql', sql: 'CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1); SELECT * FROM missing_table;' },
      ]),
    ).rejects.toThrow(/missing_table/);
    expect(await tables()).toEqual(['a', 'schema_migrations']);
    expect((await db.execute('SELECT COUNT(*) AS n FROM a')).rows[0]!.n).toBe(0);
    expect((await db.execute('SELECT name FROM schema_migrations')).rows.map((r) => r.name)).toEqual(['0001_a.sql']);
  });

  it('refuses badly named or duplicate-numbered files', () => {
    expect(() => sortMigrations([{ name: 'init.sql', sql: '' }])).toThrow(/0001_name/);
    expect(() =>
      sortMigrations([
        { name: '0001_a.sql', sql: '' },
        { name: '0001_b.sql', sql: '' },
      ]),
    ).toThrow(/0001/);
  });
});
