// Room sockets: broadcast latency to a room of 3 on one node and across two nodes (Redis), and
// idle sockets per process with the RSS and JS heap they cost (read after a full GC, in every
// server alike), each beside a bare `ws` relay measured in the same run (bench/servers/raw-ws.ts:
// the least a relay can do, over Redis when two nodes).
// Run: npx tsx bench/rooms.ts (also the last part of `npm run bench`).

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { startRedis } from '../test/helpers/redis.js';
import { percentile, type Server, start } from './support.js';

const MESSAGES = Number(process.env.BENCH_ROOM_MESSAGES ?? 2000);
const IDLE = Number(process.env.BENCH_ROOM_SOCKETS ?? 3000);

export interface RoomBenchRow {
  measure: string;
  gateway: number;
  rawWs: number;
  ratio: number;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const gatewayUrl = (base: string, room: string, user: number) => `${base.replace(/^http/, 'ws')}/ws/lobby?team_id=${room}&user_id=${user}`;
const rawUrl = (base: string, room: string) => `${base.replace(/^http/, 'ws')}/?room=${room}`;

/**
 * One sender and the room's other sockets; each frame is sent when the previous one reached
 * every socket of the room (the sender's own copy included): the time that takes, per frame.
 */
async function broadcastLatency(urls: string[]): Promise<{ p50: number; p99: number }> {
  const sockets = await Promise.all(urls.map(open));
  await new Promise((r) => setTimeout(r, 300)); // joins announced and drained
  let expect = '';
  let pending = 0;
  let done: (() => void) | null = null;
  for (const s of sockets) {
    s.on('message', (data) => {
      if (String(data) === expect && --pending === 0) done?.();
    });
  }
  const times: number[] = [];
  const sender = sockets[0]!;
  for (let i = -200; i < MESSAGES; i++) {
    expect = `{"type":"PING","payload":{"seq":${i}}}`;
    pending = sockets.length;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      done = resolve;
      sender.send(expect);
    });
    if (i >= 0) times.push(performance.now() - t0);
  }
  for (const s of sockets) s.terminate();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** The server's RSS and JS heap in KiB, read once it has collected its garbage (what it holds, not what it has yet to free). */
async function memory(server: Server): Promise<{ rss: number; heap: number }> {
  const { heapUsed } = await new Promise<{ heapUsed: number }>((resolve) => {
    server.proc.once('message', (m) => resolve(m as { heapUsed: number }));
    server.proc.send('gc');
  });
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))![1]);
  return { rss, heap: heapUsed / 1024 };
}

type Memory = Awaited<ReturnType<typeof memory>>;

/** Opens `n` idle sockets to a fresh server (rooms of 3) and reads its memory before and after. */
async function idleSockets(server: Server, url: (i: number) => string, n: number): Promise<{ before: Memory; after: Memory }> {
  await new Promise((r) => setTimeout(r, 500));
  const before = await memory(server);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 200) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => open(url(i + k))))));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const after = await memory(server);
  for (const s of sockets) s.terminate();
  return { before, after };
}

const row = (measure: string, gateway: number, rawWs: number, digits = 3): RoomBenchRow => ({
  measure,
  gateway: Number(gateway.toFixed(digits)),
  rawWs: Number(rawWs.toFixed(digits)),
  ratio: Number((gateway / rawWs).toFixed(2)),
});

export async function run(): Promise<RoomBenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'arena-rooms-bench-'));
  const redis = await startRedis();
  const procs: ChildProcess[] = [];
  // Rooms of anonymous bench users: the original's legacy mode (no sessions to set up).
  const TRUST = { ROOMS_TRUST_USER_ID: '1' };
  const up = async (script: string, args: string[] = [], env: Record<string, string> = {}) => {
    const s = await start(script, args, env);
    procs.push(s.proc);
    return s;
  };
  try {
    const rows: RoomBenchRow[] = [];
    const dbArgs = (name: string) => [join(dir, `${name}.db`), join(dir, 'blobs')];

    // One node.
    const gw = await up('./servers/gateway.ts', dbArgs('one'), TRUST);
    const raw = await up('./servers/raw-ws.ts');
    const g1 = await broadcastLatency([0, 1, 2].map((u) => gatewayUrl(gw.url, 'one', u)));
    const r1 = await broadcastLatency([0, 1, 2].map(() => rawUrl(raw.url, 'one')));
    rows.push(row('broadcast p50 ms, room of 3, one node', g1.p50, r1.p50), row('broadcast p99 ms, room of 3, one node', g1.p99, r1.p99));

    // Two nodes on one Redis (and one database): the sender and one socket on A, one on B.
    const env = { ...TRUST, REDIS_URL: redis.url };
    const gwA = await up('./servers/gateway.ts', dbArgs('two'), env);
    const gwB = await up('./servers/gateway.ts', dbArgs('two'), env);
    const rawA = await up('./servers/raw-ws.ts', [], env);
    const rawB = await up('./servers/raw-ws.ts', [], env);
    const g2 = await broadcastLatency([gatewayUrl(gwA.url, 'two', 0), gatewayUrl(gwA.url, 'two', 1), gatewayUrl(gwB.url, 'two', 2)]);
    const r2 = await broadcastLatency([rawUrl(rawA.url, 'two'), rawUrl(rawA.url, 'two'), rawUrl(rawB.url, 'two')]);
    rows.push(row('broadcast p50 ms, room of 3, two nodes', g2.p50, r2.p50), row('broadcast p99 ms, room of 3, two nodes', g2.p99, r2.p99));
    for (const p of procs.splice(0)) p.kill();

    // Idle sockets on fresh processes (rooms of 3, as the limit allows), each able to collect its garbage on request.
    const gc = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() };
    const gwIdle = await up('./servers/gateway.ts', dbArgs('idle'), { ...TRUST, ...gc });
    const rawIdle = await up('./servers/raw-ws.ts', [], gc);
    const gi = await idleSockets(gwIdle, (i) => gatewayUrl(gwIdle.url, `idle${Math.floor(i / 3)}`, i), IDLE);
    const ri = await idleSockets(rawIdle, (i) => rawUrl(rawIdle.url, `idle${Math.floor(i / 3)}`), IDLE);
    rows.push(
      row(`RSS MiB with ${IDLE} idle sockets`, gi.after.rss / 1024, ri.after.rss / 1024, 1),
      row('RSS KiB per idle socket (after - before)', (gi.after.rss - gi.before.rss) / IDLE, (ri.after.rss - ri.before.rss) / IDLE, 2),
      // Steadier than RSS, which moves with pages the heap keeps committed but free.
      row('JS heap KiB per idle socket (after - before)', (gi.after.heap - gi.before.heap) / IDLE, (ri.after.heap - ri.before.heap) / IDLE, 2),
    );
    return rows;
  } finally {
    for (const p of procs) p.kill();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) console.table(await run());
