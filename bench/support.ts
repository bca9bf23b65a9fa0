import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

// Helpers the benches share.

export interface Server {
  url: string;
  proc: ChildProcess;
}

/** A bench server (`bench/servers/*.ts`, path relative to bench/) in its own process; resolves once it sends its url. */
export function start(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<Server> {
  const proc = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ url: (m as { url: string }).url, proc }));
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Mean req/s of `url` (a POST of `post` as JSON when given) under 32 connections; any non-2xx or error fails the bench rather than flatter it. */
export async function rps(url: string, seconds: number, headers: Record<string, string> = {}, post?: unknown): Promise<number> {
  const body = post === undefined ? {} : { method: 'POST' as const, body: JSON.stringify(post) };
  const result = await autocannon({ url, connections: 32, pipelining: 1, duration: seconds, headers, ...body });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** The `p`th percentile of ascending `sorted`. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Logs in on the judge API; the session cookie (`JSESSIONID=...`) to send back. */
export async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/login`, { method: 'POST', body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

/** Mean ms of one call of `f` over `n` calls, after `warmup` calls. */
export async function meanMs(n: number, warmup: number, f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  return (performance.now() - t0) / n;
}
