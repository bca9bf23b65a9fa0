import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { objectId } from '../src/identity/ids.js';
import { login, rps, start } from './support.js';

/**
 * `npm run bench`: throughput of gateway routes as a ratio to a bare node:http hello measured in
 * the same run (and plain Hono beside it), then the judge's own benchmarks.
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);

/** Mean req/s over the run's DURATION. */
const measure = (url: string, headers: Record<string, string> = {}, post?: unknown) => rps(url, DURATION, headers, post);

/** 100k finished cases on one dataset from 1000 users, written straight into libSQL. */
async function seed(dbPath: string, base: string): Promise<{ cookie: string; datasetId: string }> {
  const cookie = await login(base, 'root', 'bench-root');
  for (let i = 0; i < 20; i++) {
    await fetch(`${base}/api/dataset/add`, {
      method: 'POST',
      headers: { cookie },
      body: JSON.stringify({ name: `bench-${i}`, time: 10, memory: 256, cpu: 1, data: 'NAME : x\nEND' }),
    });
  }
  const datasets = (await (await fetch(`${base}/api/dataset/all`, { headers: { cookie } })).json()) as { datasets: { id: string }[] };
  const datasetId = datasets.datasets[0]!.id;
  const db = createClient({ url: `file:${dbPath}`, timeout: 10_000 });
  const users = Array.from({ length: 1000 }, (_, i) => ({ id: objectId(), name: `u${i}` }));
  await db.batch(
    users.map((u) => ({
      sql: "INSERT INTO users (id, username, password_hash, judge_type, created_at) VALUES (?, ?, 'x', 200, 0)",
      args: [u.id, u.name],
    })),
    'write',
  );
  const now = Date.now();
  for (let chunk = 0; chunk < 100; chunk++) {
    await db.batch(
      Array.from({ length: 1000 }, (_, i) => {
        const n = chunk * 1000 + i;
        return {
          sql: `INSERT INTO cases (id, user_id, dataset_id, archive_key, status, submit_time, time, valid, cost)
                VALUES (?, ?, ?, 'archives/x.zip', 3, ?, ?, ?, ?)`,
          args: [objectId(), users[n % 1000]!.id, datasetId, now - n * 1000, (n % 97) / 10, n % 5 === 0 ? 0 : 1, 300 + (n % 211)],
        };
      }),
      'write',
    );
  }
  db.close();
  return { cookie, datasetId };
}

const dir = await mkdtemp(join(tmpdir(), 'arena-bench-'));
const servers: ChildProcess[] = [];
try {
  const bare = await start('./servers/bare.ts');
  const hono = await start('./servers/hono.ts');
  const trpc = await start('./servers/trpc.ts');
  const yoga = await start('./servers/yoga.ts');
  const dbPath = join(dir, 'bench.db');
  const gateway = await start('./servers/gateway.ts', [dbPath, join(dir, 'blobs')]);
  servers.push(bare.proc, hono.proc, trpc.proc, yoga.proc, gateway.proc);
  const { cookie, datasetId } = await seed(dbPath, gateway.url);
  const json = { 'content-type': 'application/json' };

  await measure(bare.url); // warm-up: the first run also warms autocannon itself
  const baseline = await measure(bare.url);
  const trpcHello = await measure(`${trpc.url}/trpc/hello`);
  const yogaHello = await measure(`${yoga.url}/graphql`, json, { query: '{ hello }' });
  // Each door reads the same data with the same session, beside its own bare anchor.
  const rows: Array<[string, number, string?]> = [
    ['plain Hono hello', await measure(hono.url)],
    ['bare tRPC hello (fetch adapter)', trpcHello],
    ['bare graphql-yoga { hello }', yogaHello],
    ['REST GET /api/dataset/all (session)', await measure(`${gateway.url}/api/dataset/all`, { cookie })],
    ['tRPC judge.datasets.list (session, GET)', await measure(`${gateway.url}/trpc/judge.datasets.list`, { cookie }), 'bare tRPC hello'],
    [
      'GraphQL { datasets {...} } (session, POST)',
      await measure(`${gateway.url}/graphql`, { cookie, ...json }, { query: '{ datasets { id name time memory cpu } }' }),
      'bare yoga { hello }',
    ],
    ['GET /api/judge/top (100k cases)', await measure(`${gateway.url}/api/judge/top?did=${datasetId}`, { cookie })],
  ];
  const anchors: Record<string, number> = { 'bare tRPC hello': trpcHello, 'bare yoga { hello }': yogaHello };
  console.log(`\nHTTP, ${DURATION}s each, 32 connections; baseline bare node:http hello = ${baseline.toFixed(0)} req/s`);
  for (const [name, value, anchor] of rows) {
    const own = anchor ? `   ${(value / anchors[anchor]!).toFixed(2)} x ${anchor}` : '';
    console.log(`${name.padEnd(44)} ${value.toFixed(0).padStart(8)} req/s   ratio ${(value / baseline).toFixed(2)}${own}`);
  }
} finally {
  for (const p of servers) p.kill();
  await rm(dir, { recursive: true, force: true });
}

for (const mod of ['./carp-check.ts', './sandbox.ts', './judge.ts', './rooms.ts', './growth.ts']) {
  try {
    const { run } = (await import(mod)) as { run?: () => Promise<Array<Record<string, unknown>>> };
    if (!run) continue;
    console.log(`\n${mod}`);
    console.table(await run());
  } catch (err) {
    console.log(`\n${mod}: not run (${(err as Error).message})`);
  }
}
