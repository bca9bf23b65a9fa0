// The Worker as a deployment builds it (`wrangler deploy --dry-run` from wrangler.toml), run
// under workerd by Miniflare, on a real libSQL server (sqld) migrated and given its ROOT by
// `npm run migrate`, with a local R2 bucket and the Durable Objects wrangler.toml binds.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { expect } from 'vitest';
import { ROOT_PASSWORD } from '../helpers/gateway.js';
import { freePort } from '../helpers/redis.js';
import { startSqld, type TestSqld } from '../helpers/sqld.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const JWT_SECRET = 'edge-test-secret-edge-test-secret-0123';

/** Where a Durable Object binding's class lives: this Worker's, or another Worker's (by name). */
type ClassRef = string | { className: string; scriptName: string };

export interface Edge {
  sqld: TestSqld;
  /** The built Worker module. */
  script: string;
  /** The built Worker as wrangler.toml binds it, with these vars. */
  options(vars: Record<string, string>, classes?: { limiter?: ClassRef; rooms?: ClassRef }): Record<string, unknown> & { modules: true };
  /** The built Worker under workerd on a loopback port, with these vars: its URL and its Miniflare. */
  start(vars: Record<string, string>, extra?: Record<string, unknown>): Promise<{ url: string; mf: Miniflare }>;
  /**
   * Two Workers in one workerd, each its own isolate and memory, routed by host (`a.test`,
   * `b.test`) on one loopback port; b's Durable Object bindings are a's classes, as every isolate
   * of a deployment shares its objects.
   */
  twoIsolates(vars: Record<string, string>): Promise<{ url: string; mf: Miniflare }>;
  /** Every Worker started, stopped; sqld stopped; the build removed. */
  stop(): Promise<void>;
}

export async function buildEdge(): Promise<Edge> {
  const sqld = await startSqld();
  const out = await mkdtemp(join(tmpdir(), 'arena-edge-'));
  const env = { ...process.env, DATABASE_URL: sqld.url, ROOT_PASSWORD, BLOB_DIR: join(out, 'blobs') };
  const migrated = await run('npx', ['tsx', 'src/node/migrate.ts'], { cwd: ROOT, env });
  expect(migrated.stdout).toMatch(/created ROOT user 'root'/);
  await run('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--outdir', join(out, 'dist')], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: join(out, 'logs') },
  });
  const script = join(out, 'dist', 'worker.js');
  const workers: Miniflare[] = [];
  const options: Edge['options'] = (vars, classes = {}) => ({
    modules: true,
    scriptPath: script,
    modulesRoot: join(out, 'dist'),
    compatibilityDate: '2026-04-24',
    bindings: vars,
    r2Buckets: ['BLOBS'],
    durableObjects: { LIMITER: classes.limiter ?? 'RateLimiter', ROOMS: classes.rooms ?? 'RoomObject' },
  });
  async function started(config: Record<string, unknown>) {
    const mf = new Miniflare({ ...config, host: '127.0.0.1', port: await freePort() } as ConstructorParameters<typeof Miniflare>[0]);
    workers.push(mf);
    return { url: (await mf.ready).toString().replace(/\/$/, ''), mf };
  }
  return {
    sqld,
    script,
    options,
    start: (vars, extra = {}) => started({ ...options(vars), ...extra }),
    twoIsolates(vars) {
      const of = (className: string) => ({ className, scriptName: 'a' });
      const isolate = (name: string, classes?: Parameters<Edge['options']>[1]) => ({ ...options(vars, classes), name, routes: [`${name}.test/*`] });
      return started({ workers: [isolate('a'), isolate('b', { limiter: of('RateLimiter'), rooms: of('RoomObject') })] });
    },
    async stop() {
      for (const mf of workers) await mf.dispose();
      await sqld.stop();
      await rm(out, { recursive: true, force: true });
    },
  };
}
