import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, InArgs, InStatement, Transaction } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBus } from '../../src/bus/memory.js';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { JudgeType } from '../../src/identity/roles.js';
import { fsBlobStore } from '../../src/node/blob-fs.js';
import { loadMigrations, openDatabase } from '../../src/node/db.js';
import { silentLogger } from '../../src/observe/logger.js';
import { noMetrics } from '../../src/observe/metrics.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { User } from '../../src/services/users.js';
import { GOOD_SOLVER, zipBase64 } from '../helpers/zip.js';

// The hot statements' plans (EXPLAIN QUERY PLAN) on a filled database: each must find its rows
// through an index (cost ~ log(rows) + the answer), never walk a big table or a fair share of it.
// The statements are the ones the services really run, captured by a recording client, and the
// statements of the triggers those writes fire, read from the schema itself.

const USERS = 200;
const DATASETS = 8;
const CASES = 20_000;
const SESSIONS = 5_000;
const FAILURES = 5_000;
const DAY_MS = 24 * 3600_000;
const PASSWORD = 'plans-pw-1';
/** Scenarios that must have run SQL: a service that stopped doing so would leave its plans unchecked. */
const MUST_RUN = [
  'session lookup',
  'login failure count',
  'leaderboard',
  'cases first page',
  'cases deep page',
  'remain',
  'submit',
  'claim',
  'report',
];

interface Statement {
  name: string;
  sql: string;
  args: InArgs;
}

let dir: string;
let raw: Client;
const ran: Statement[] = [];
let scenario = '';

/** The real client; every statement it or one of its transactions runs is noted under the current scenario. */
function recording(db: Client): Client {
  const note = (stmt: InStatement, args?: InArgs) => {
    if (!scenario) return;
    const s = typeof stmt === 'string' ? { sql: stmt, args: args ?? [] } : { sql: stmt.sql, args: stmt.args ?? [] };
    ran.push({ name: scenario, ...s });
  };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        const value: unknown = Reflect.get(t, prop);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (prop === 'execute')
          return (stmt: InStatement, args?: InArgs) => {
            note(stmt, args);
            return fn.call(t, stmt, args);
          };
        if (prop === 'batch')
          return (stmts: InStatement[], ...rest: unknown[]) => {
            for (const s of stmts) note(s);
            return fn.call(t, stmts, ...rest);
          };
        if (prop === 'transaction') return async (...a: unknown[]) => wrap((await fn.apply(t, a)) as Transaction);
        return fn.bind(t);
      },
    });
  return wrap(db);
}

async function during(name: string, work: () => Promise<unknown>): Promise<void> {
  scenario = name;
  try {
    await work();
  } finally {
    scenario = '';
  }
}

/**
 * Every statement of the triggers on the tables the hot path writes, OLD and NEW bound to a valid
 * finished case (judge_best's columns are named as the case's).
 */
async function triggerStatements(): Promise<Statement[]> {
  const row = (await raw.execute('SELECT * FROM cases WHERE status = 3 AND valid = 1 LIMIT 1')).rows[0]!;
  const triggers = await raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('cases', 'judge_best')");
  return triggers.rows.flatMap((t) => {
    const text = String(t.sql);
    const body = text.slice(text.search(/\bBEGIN\b/i) + 'BEGIN'.length, text.lastIndexOf('END'));
    return body
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const args: Record<string, unknown> = {};
        const sql = s.replace(/\b(OLD|NEW)\.(\w+)/g, (_, which: string, col: string) => {
          args[`${which.toLowerCase()}_${col}`] = row[col];
          return `:${which.toLowerCase()}_${col}`;
        });
        return { name: `trigger ${String(t.name)}`, sql, args: args as InArgs };
      });
  });
}

type PlanRow = { id: number; parent: number; detail: string };

const plan = async (s: Statement): Promise<PlanRow[]> =>
  (await raw.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args })).rows.map((r) => ({
    id: Number(r.id),
    parent: Number(r.parent),
    detail: String(r.detail),
  }));

function drawn(rows: PlanRow[]): string {
  const depth = new Map<number, number>([[0, 0]]);
  return rows
    .map((r) => {
      const d = (depth.get(r.parent) ?? 0) + 1;
      depth.set(r.id, d);
      return `${'  '.repeat(d)}${r.detail}`;
    })
    .join('\n');
}

// status and valid split the cases into a handful of sets, each a fair share of the table: a
// search on them alone walks that share, unless it stops at its LIMIT, reading the index in order.
const LOW_CARDINALITY = new Set(['status', 'valid']);

/** What in a plan grows with the table rather than with log(rows) or the answer. */
function faults(s: Statement, rows: PlanRow[]): string[] {
  const built = new Set(rows.flatMap((r) => /^(?:CO-ROUTINE|MATERIALIZE) (.+)$/.exec(r.detail)?.[1] ?? []));
  const sorts = rows.some((r) => r.detail.startsWith('USE TEMP B-TREE'));
  return rows.flatMap((r) => {
    const scan = /^SCAN (.+?)(?: USING .*)?$/.exec(r.detail);
    if (scan && scan[1] !== 'CONSTANT ROW' && !built.has(scan[1]!)) return [`walks a whole table: ${r.detail}`];
    if (r.detail.startsWith('USE TEMP B-TREE')) return [`sorts what an index could give in order: ${r.detail}`];
    const columns = /^SEARCH \S+ USING (?:COVERING )?INDEX \S+ \((.+)\)$/.exec(r.detail)?.[1]?.match(/\w+(?=[=<>])/g) ?? [];
    const ordered = /\bLIMIT\b/i.test(s.sql) && !sorts;
    if (columns.length > 0 && columns.every((c) => LOW_CARDINALITY.has(c)) && !ordered) return [`walks a status's share of the cases: ${r.detail}`];
    return [];
  });
}

let statements: Statement[];

async function checkAll(statistics: string): Promise<void> {
  for (const s of statements) {
    const rows = await plan(s);
    expect.soft(faults(s, rows), `${s.name} (${statistics}):\n${s.sql.replace(/\s+/g, ' ')}\nplan:\n${drawn(rows)}`).toEqual([]);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-plans-'));
  raw = await openDatabase(`file:${join(dir, 'plans.db')}`, undefined, silentLogger);
  await migrate(raw, loadMigrations());
  let clock = Date.now();
  const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'plans.db')}`, BLOB_DIR: join(dir, 'blobs') });
  const deps = {
    db: recording(raw),
    blobs: fsBlobStore(config.BLOB_DIR),
    bus: memoryBus(silentLogger),
    config,
    now: () => clock,
    log: silentLogger,
    metrics: noMetrics,
  };
  const services: Services = createServices(deps);
  await deps.blobs.put('archives/seed.zip', Buffer.from(zipBase64({ 'CARP_solver.py': GOOD_SOLVER }), 'base64'));

  // A month of cases for every user, spread over the datasets: most finished (two thirds valid),
  // a tenth in error, the newest waiting, some running on live or lapsed leases.
  const { passwordHash } = await services.users.credentials('any', PASSWORD);
  const start = clock - 30 * DAY_MS;
  await raw.batch(
    [
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${USERS})
              INSERT INTO users (id, username, password_hash, judge_type, created_at)
              SELECT printf('%024x', i), 'user' || i, ?, CASE WHEN i = ${USERS} THEN ${JudgeType.WORKER} ELSE ${JudgeType.USER} END, ? FROM n`,
        args: [passwordHash, start],
      },
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${DATASETS - 1})
              INSERT INTO datasets (id, name, time, memory, cpu, data, created_at)
              SELECT printf('d%023x', i), 'dataset' || i, 10, 256, 1, 'x', ? FROM n`,
        args: [start],
      },
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${CASES - 1})
              INSERT INTO cases (id, user_id, dataset_id, archive_key, status, submit_time, judge_worker, valid, cost, time,
                                 lease_id, lease_worker, lease_expires, attempts)
              SELECT printf('c%023x', i), printf('%024x', i % ${USERS}), printf('d%023x', (i / ${USERS}) % ${DATASETS}),
                     'archives/seed.zip', s, ? + i * ${Math.floor((30 * DAY_MS) / CASES)}, CASE WHEN s > 0 THEN printf('%024x', ${USERS}) END,
                     s = 3 AND i % 3 > 0, 300 + (i * 7919) % 500, (i % 60) / 7.0,
                     CASE WHEN s = 2 THEN 'lease' || i END, CASE WHEN s = 2 THEN printf('%024x', ${USERS}) END,
                     CASE WHEN s = 2 THEN ? + (i % 2) * 2 * ${DAY_MS} - ${DAY_MS} END, CASE WHEN s = 2 THEN i % 4 ELSE 1 END
              FROM (SELECT i, CASE WHEN i >= ${CASES - 50} THEN 0 WHEN i >= ${CASES - 70} THEN 2 WHEN i % 10 = 0 THEN 4 ELSE 3 END AS s FROM n)`,
        args: [start, clock],
      },
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${SESSIONS - 1})
              INSERT INTO sessions (id_hash, user_id, kind, created_at, expires_at)
              SELECT printf('%064x', i), printf('%024x', i % ${USERS}), 'judge', ?, ? + (i - ${SESSIONS / 2}) * 60000 FROM n`,
        args: [start, clock],
      },
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${FAILURES - 1})
              INSERT INTO login_failures (key, failures, first_at, locked_until)
              SELECT 'address:10.0.' || (i / 256) || '.' || (i % 256), 1 + i % 7, ? - i * 60000, CASE WHEN i % 7 = 6 THEN ? END FROM n`,
        args: [clock, clock + 60_000],
      },
    ],
    'write',
  );

  const user = (await services.users.byUsername('user7'))!;
  const worker = (await services.users.byUsername(`user${USERS}`))!;
  const datasetId = String((await raw.execute("SELECT id FROM datasets WHERE name = 'dataset3'")).rows[0]!.id);
  const own = String((await raw.execute({ sql: 'SELECT id FROM cases WHERE user_id = ? LIMIT 1', args: [user.id] })).rows[0]!.id);
  const { judge, sessions, users } = services;

  const session = await sessions.create(user.id, 'contest', 3 * 3600_000, { sliding: true });
  clock += 2 * 60_000; // a sliding session used again: its expiry moves
  await during('session lookup', () => sessions.resolve(session.id));
  await during('login failure count', () => users.verify(user.username, 'wrong', '192.0.2.1'));
  await during('login', () => users.verify(user.username, PASSWORD, '192.0.2.1'));
  await during('leaderboard', () => judge.cases.leaderboard(user, datasetId));
  await during('cases first page', () => judge.cases.page(user, 0, 20));
  await during('cases deep page', () => judge.cases.page(user, 4, 20));
  await during('remain', () => judge.cases.remain(user));
  await during('case status read', () => judge.cases.byId(user, own));
  await during('submit', () => judge.submissions.submit(user, { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': GOOD_SOLVER }) }));
  await during('lease expiry sweep', () => judge.queue.expireLeases());
  await workerPath(judge.queue, worker);
  await during('session purge', () => sessions.purgeExpired());
  await during('login failure purge', () => services.logins.purge());

  statements = numbered([...ran, ...(await triggerStatements())]);
});

/** Each statement once; a name that several statements share gets their numbers (`claim #2`). */
function numbered(list: Statement[]): Statement[] {
  const unique = [...new Map(list.map((s) => [`${s.name}\n${s.sql}`, s])).values()];
  return unique.map((s) => {
    const same = unique.filter((o) => o.name === s.name);
    return same.length > 1 ? { ...s, name: `${s.name} #${same.indexOf(s) + 1}` } : s;
  });
}

/** A worker's path: claim (with its sweep), the archive, start, renew, the verdict; a second claim given back. */
async function workerPath(queue: Services['judge']['queue'], worker: User): Promise<void> {
  const given = (await queue.claim(worker))!;
  let c = given;
  await during('claim', async () => (c = (await queue.claim(worker))!));
  await during('archive', () => queue.archive(worker, c.id, c.leaseId));
  await during('start', () => queue.start(worker, c.id, c.leaseId));
  await during('renew', () => queue.renew(worker, c.id, c.leaseId));
  const verdict = { timedout: false, stdout: '', outOverflow: false, stderr: '', errOverflow: false, time: 1.5, exitcode: 0, valid: true, cost: 310 };
  await during('report', () => queue.report(worker, c.id, c.leaseId, { ...verdict, status: 3, reason: null }));
  await during('release', () => queue.release(worker, given.id, given.leaseId));
}

afterAll(async () => {
  raw?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hot statements', () => {
  it('were all captured from the services', () => {
    const names = new Set(statements.map((s) => s.name.replace(/ #\d+$/, '')));
    for (const name of [...MUST_RUN, 'trigger judge_best_after_update']) expect(names, name).toContain(name);
  });

  it('find their rows through indexes without statistics (a database never analysed)', async () => {
    await checkAll('no ANALYZE');
  });

  it('and still after ANALYZE', async () => {
    await raw.execute('ANALYZE');
    await checkAll('after ANALYZE');
  });

  // Pages are numbered on the wire (spec 004): a deep page still steps over its offset, but in a
  // covering index, before the page's own rows are read from the table.
  it("skip a deep page's offset in a covering index", async () => {
    const deep = statements.filter((s) => s.name.startsWith('cases deep page') && /\bOFFSET\b/i.test(s.sql));
    expect(deep).toHaveLength(1);
    const rows = await plan(deep[0]!);
    const subquery = rows.find((r) => r.detail === 'SCALAR SUBQUERY 1');
    expect(rows.find((r) => r.parent === subquery?.id)?.detail, drawn(rows)).toMatch(/^SEARCH cases USING COVERING INDEX cases_user_submit /);
  });
});
