import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from '@libsql/client';
import { objectId } from '../src/identity/ids.js';

/**
 * `npm run bench`: throughput of gateway routes as a ratio to a bare node:http hello measured in
 * the same run (and plain Hono beside it), then the judge's own benchmarks.
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function start(script: string, args: string[] = []): Promise<{ url: string; proc: ChildProcess }> {
  const proc = fork(here(script), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ url: (m as { url: string }).url, proc }));
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function rps(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections: 32, pipelining: 1, duration: DURATION, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** 100k finished cases on one dataset from 1000 users, written straight into libSQL. */
async function seed(dbPath: string, base: string): Promise<{ cookie: string; datasetId: string }> {
  const login = await fetch(`${base}/api/login`, { method: 'POST', body: JSON.stringify({ username: 'root', password: 'bench-root' }) });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
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
  const dbPath = join(dir, 'bench.db');
  const gateway = await start('./servers/gateway.ts', [dbPath, join(dir, 'blobs')]);
  servers.push(bare.proc, hono.proc, gateway.proc);
  const { cookie, datasetId } = await seed(dbPath, gateway.url);

  await rps(bare.url); // warm-up: the first run also warms autocannon itself
  const baseline = await rps(bare.url);
  const rows: Array<[string, number]> = [
    ['plain Hono hello', await rps(hono.url)],
    ['GET /api/dataset/all (session)', await rps(`${gateway.url}/api/dataset/all`, { cookie })],
    ['GET /api/judge/top (100k cases)', await rps(`${gateway.url}/api/judge/top?did=${datasetId}`, { cookie })],
  ];
  console.log(`\nHTTP, ${DURATION}s each, 32 connections; baseline bare node:http hello = ${baseline.toFixed(0)} req/s`);
  for (const [name, value] of rows) {
    console.log(`${name.padEnd(36)} ${value.toFixed(0).padStart(8)} req/s   ratio ${(value / baseline).toFixed(2)}`);
  }
} finally {
  for (const p of servers) p.kill();
  await rm(dir, { recursive: true, force: true });
}

for (const mod of ['./carp-check.ts', './sandbox.ts', './rooms.ts']) {
  try {
    const { run } = (await import(mod)) as { run?: () => Promise<Array<Record<string, unknown>>> };
    if (!run) continue;
    console.log(`\n${mod}`);
    console.table(await run());
  } catch (err) {
    console.log(`\n${mod}: not run (${(err as Error).message})`);
  }
}
