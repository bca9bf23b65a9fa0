// How cost grows with the data: the judge's hot requests at 10k / 100k / 1M cases (100 / 1k / 10k
// users), each on a fresh gateway whose libSQL file is seeded straight by SQL. Per request: p50
// and p99 over sequential requests, req/s under autocannon where a request can be repeated, and
// the p50's growth over the smallest size. A cost that follows log(cases) stays near x1; one that
// follows the answer grows with the answer column; one that follows the table grows ~x10 a step.
// Run: npx tsx bench/growth.ts (also part of `npm run bench`); BENCH_GROWTH_MAX caps the cases.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { gatewayClient, type GatewayClient } from '../judge/gateway-client.js';
import { hashPassword } from '../src/identity/password.js';
import { JudgeType } from '../src/identity/roles.js';
import { GOOD_SOLVER, zipBase64 } from '../test/helpers/zip.js';
import { login, percentile, rps, start } from './support.js';

const MAX_CASES = Number(process.env.BENCH_GROWTH_MAX ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_GROWTH_REQUESTS ?? 200);
const SECONDS = Number(process.env.BENCH_GROWTH_SECONDS ?? 2);
const STEPS = [
  { cases: 10_000, users: 100 },
  { cases: 100_000, users: 1_000 },
  { cases: 1_000_000, users: 10_000 },
].filter((s) => s.cases <= MAX_CASES);
type Step = (typeof STEPS)[number];
const DATASETS = 20;
const DAY_MS = 24 * 3600_000;
const SPAN_MS = 30 * DAY_MS;
/** Every HEAVY_EVERY-th case is the heavy user's (an ADMIN, unlimited): 1% of the table, so its own list grows with it. */
const HEAVY_EVERY = 100;
/** The newest cases are running on live leases; none waits, so a claim finds the bench's own submission. */
const IN_FLIGHT = 20;
const PAGE_SIZE = 20;
const PASSWORD = 'bench-growth-1';
/** printf('d%023x', 0): the busiest dataset, whose leaderboard is read. */
const BOARD = 'd'.padEnd(24, '0');
/** Seeded users are printf('%024x', n); user 0 is `typical`. These two stand apart. */
const HEAVY_ID = 'a'.padEnd(24, '0');
const WORKER_ID = 'b'.padEnd(24, '0');

interface Measure {
  statement: string;
  /** What the answer holds (its size is a fair thing to grow with). */
  answer: string;
  p50: number;
  p99: number;
  /** Under autocannon; null where a request cannot simply be repeated. */
  rps: number | null;
}

const PRIME = 2147483647;
/** A pseudo-random 23-bit value of the case number, one per `salt`: squaring mod a prime keeps the columns independent. */
const mix = (salt: number) => {
  const x = `((i * 2654435761 + ${salt}) % ${PRIME})`;
  return `((${x} * ${x}) % ${PRIME} >> 8)`;
};

/**
 * The step's users and cases, inside SQLite in one transaction (triggers fill judge_best as the
 * gateway's own writes would), before any request: a long synchronous seed would leave the
 * client's keep-alive sockets closed under it. Cases: 30 days up to now, 88% finished (two thirds
 * of those valid, cost 300..799, time 0..60 s), 12% in error; users from twice the average (~100
 * cases at every step) down to a few, user 0, the busiest, being `typical`; datasets skewed (the
 * first, the leaderboard's, has a quarter of the cases).
 */
async function seed(db: Client, step: Step): Promise<void> {
  const now = Date.now();
  const start = now - SPAN_MS;
  const last = step.cases - 1;
  await db.batch(
    [
      'PRAGMA cache_size = -262144', // 256 MiB: the user and dataset indexes take their rows out of order
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${DATASETS - 1})
              INSERT INTO datasets (id, name, time, memory, cpu, data, created_at)
              SELECT printf('d%023x', i), 'growth-' || i, 10, 256, 1, 'NAME : x' || char(10) || 'END', ? FROM n`,
        args: [start],
      },
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${step.users - 1})
              INSERT INTO users (id, username, password_hash, judge_type, created_at)
              SELECT printf('%024x', i), CASE i WHEN 0 THEN 'typical' ELSE 'g' || i END,
                     CASE i WHEN 0 THEN :hash ELSE 'x' END, ${JudgeType.USER}, :start FROM n
              UNION ALL VALUES ('${HEAVY_ID}', 'heavy', :hash, ${JudgeType.ADMIN}, :start),
                               ('${WORKER_ID}', 'worker', :hash, ${JudgeType.WORKER}, :start)`,
        args: { hash: await hashPassword(PASSWORD), start },
      },
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${last}),
              r AS (SELECT i, :start + i * ${Math.floor(SPAN_MS / step.cases)} AS t,
                           CASE WHEN i > ${last - IN_FLIGHT} THEN 2 WHEN ${mix(1)} % 100 < 12 THEN 4 ELSE 3 END AS s,
                           min(${mix(2)} % ${step.users}, ${mix(3)} % ${step.users}) AS u, ${mix(4)} % ${DATASETS} AS d FROM n)
              INSERT INTO cases (id, user_id, dataset_id, archive_key, status, submit_time, judge_time, judge_worker, stdout,
                                 time, valid, cost, reason, lease_id, lease_worker, lease_expires, attempts)
              SELECT printf('%08x%016x', t / 1000, i),
                     CASE WHEN i % ${HEAVY_EVERY} = 0 THEN '${HEAVY_ID}' ELSE printf('%024x', u) END,
                     printf('d%023x', d * d / ${DATASETS}), 'archives/seed.zip', s, t, t + 1000, '${WORKER_ID}',
                     CASE WHEN s = 3 THEN 's 0,(1,2),(2,3),0' || char(10) || 'q ' || (300 + ${mix(5)} % 500) END,
                     CASE WHEN s = 3 THEN (${mix(6)} % 600) / 10.0 ELSE 0 END,
                     s = 3 AND ${mix(7)} % 3 > 0,
                     CASE WHEN s = 3 THEN 300 + ${mix(5)} % 500 ELSE 0 END,
                     CASE WHEN s = 4 THEN 'Runtime error!' END,
                     CASE WHEN s = 2 THEN 'lease' || i END, CASE WHEN s = 2 THEN '${WORKER_ID}' END,
                     CASE WHEN s = 2 THEN :now + ${DAY_MS} END, 1
              FROM r`,
        args: { start, now },
      },
    ],
    'write',
  );
  // The seed's WAL folded into the file, as a long-running database's would be.
  await db.execute('PRAGMA wal_checkpoint(TRUNCATE)');
}

/** `once` REQUESTS times in sequence, after a tenth as many to warm up; each run gives its durations (ms), one per figure. */
async function sample(once: () => Promise<number[]>): Promise<Array<{ p50: number; p99: number }>> {
  const runs: number[][] = [];
  for (let i = -Math.ceil(REQUESTS / 10); i < REQUESTS; i++) {
    const times = await once();
    if (i >= 0) runs.push(times);
  }
  return runs[0]!.map((_, k) => {
    const sorted = runs.map((r) => r[k]!).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  });
}

/** The whole body, unparsed: the client's JSON.parse of a big answer is not the server's cost. */
async function get(url: string, cookie: string): Promise<ArrayBuffer> {
  const res = await fetch(url, { headers: { cookie } });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.arrayBuffer();
}

const json = <T>(body: ArrayBuffer) => JSON.parse(new TextDecoder().decode(body)) as T;
const getJson = async <T>(url: string, cookie: string) => json<T>(await get(url, cookie));

/**
 * A GET's figures; with `before` (untimed, ahead of each request) it is not repeatable as is, so
 * no req/s.
 */
async function measureGet(statement: string, url: string, cookie: string, answer: string, before?: () => Promise<unknown>): Promise<Measure> {
  const [t] = await sample(async () => {
    await before?.();
    const t0 = performance.now();
    await get(url, cookie);
    return [performance.now() - t0];
  });
  return { statement, answer, ...t!, rps: before ? null : await rps(url, SECONDS, { cookie }) };
}

/** A user's first page, last page and /remain. */
async function userReads(base: string, who: string, cookie: string): Promise<Measure[]> {
  const pageUrl = (page: number) => `${base}/api/judge/get?page=${page}&size=${PAGE_SIZE}`;
  const { total } = await getJson<{ total: number }>(pageUrl(0), cookie);
  const lastPage = Math.ceil(total / PAGE_SIZE) - 1;
  const remain = await getJson<{ remain: number; total: number }>(`${base}/api/judge/remain`, cookie);
  return [
    await measureGet(`/api/judge/get page 0, ${who}`, pageUrl(0), cookie, `${PAGE_SIZE} of ${total}`),
    await measureGet(`/api/judge/get last page, ${who}`, pageUrl(lastPage), cookie, `page ${lastPage} of ${total}`),
    await measureGet(`/api/judge/remain, ${who}`, `${base}/api/judge/remain`, cookie, `${remain.total - remain.remain} in 24 h`),
  ];
}

const VERDICT = { timedout: false, stdout: '', outOverflow: false, stderr: '', errOverflow: false, time: 0, exitcode: 1, valid: false, cost: 0 };

/**
 * Submissions with a worker already waiting in `worker.claim`, as an idle judge does: the POST's
 * round trip, and the time from sending it until the worker holds the case (QUEUED). Each case is
 * then reported as an error, untimed, which moves no one's best.
 */
async function submissions(base: string, cookie: string, worker: GatewayClient): Promise<Measure[]> {
  const body = JSON.stringify({ dataset: BOARD, data: zipBase64({ 'CARP_solver.py': GOOD_SOLVER }) });
  const [post, queued] = await sample(async () => {
    const claim = worker.call((c) => c.worker.claim.mutate({ waitMs: 30_000 }));
    await new Promise((r) => setTimeout(r, 10)); // the claim is parked before the case exists
    const t0 = performance.now();
    const res = await fetch(`${base}/api/judge/submit`, { method: 'POST', headers: { cookie }, body });
    if (!res.ok) throw new Error(`submit: ${res.status} ${await res.text()}`);
    const { cid } = (await res.json()) as { cid: string };
    const t1 = performance.now();
    const claimed = await claim;
    const t2 = performance.now();
    if (claimed?.id !== cid) throw new Error(`claimed ${claimed?.id}, submitted ${cid}`);
    await worker.call((c) => c.worker.report.mutate({ id: cid, leaseId: claimed.leaseId, result: { ...VERDICT, status: 4, reason: 'bench' } }));
    return [t1 - t0, t2 - t0];
  });
  return [
    { statement: 'POST /api/judge/submit, heavy', answer: '1 case', ...post!, rps: null },
    { statement: 'submit until claimed (QUEUED), heavy', answer: '1 case', ...queued!, rps: null },
  ];
}

async function measureStep(step: Step): Promise<Measure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'arena-growth-'));
  const dbPath = join(dir, 'growth.db');
  const gateway = await start('./servers/gateway.ts', [dbPath, join(dir, 'blobs')]);
  const db = createClient({ url: `file:${dbPath}`, timeout: 10_000 });
  try {
    const t0 = performance.now();
    await seed(db, step);
    console.log(`growth: ${step.cases} cases, ${step.users} users seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const base = gateway.url;
    const heavy = await login(base, 'heavy', PASSWORD);
    const typical = await login(base, 'typical', PASSWORD);
    const topUrl = `${base}/api/judge/top?did=${BOARD}`;
    const board = await get(topUrl, heavy);
    const entries = `${json<{ carpCases: unknown[] }>(board).carpCases.length} entries, ${Math.round(board.byteLength / 1024)} KiB`;
    // A moved counter makes the next read rank again, as a new best would (without writing one).
    const bump = () => db.execute({ sql: 'UPDATE judge_best_versions SET version = version + 1 WHERE dataset_id = ?', args: [BOARD] });
    return [
      await measureGet('/api/judge/top, first read', topUrl, heavy, entries, bump),
      await measureGet('/api/judge/top, kept answer', topUrl, heavy, entries),
      ...(await userReads(base, 'heavy', heavy)),
      ...(await userReads(base, 'typical', typical)),
      ...(await submissions(base, heavy, gatewayClient(base, 'worker', PASSWORD))),
    ];
  } finally {
    db.close();
    gateway.proc.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One row per (statement, size), a statement's sizes together; growth is the p50 over the smallest size's. */
export async function run(): Promise<Array<Record<string, unknown>>> {
  const measured: Array<{ step: Step; figures: Measure[] }> = [];
  for (const step of STEPS) measured.push({ step, figures: await measureStep(step) });
  const round = (n: number) => Number(n.toFixed(2));
  return measured[0]!.figures.flatMap((first, k) =>
    measured.map(({ step, figures }) => {
      const m = figures[k]!;
      return {
        statement: m.statement,
        cases: step.cases,
        users: step.users,
        answer: m.answer,
        'p50 ms': round(m.p50),
        'p99 ms': round(m.p99),
        'req/s': m.rps === null ? '-' : Math.round(m.rps),
        growth: `x${(m.p50 / first.p50).toFixed(2)}`,
      };
    }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) console.table(await run());
