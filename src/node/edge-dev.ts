import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_NAMES, ConfigError, loadConfig } from '../config.js';
import { randomBytes, toHex } from '../identity/encoding.js';
import { consoleLogger } from '../observe/logger.js';
import { freePort } from './free-port.js';
import { runSqld } from './sqld.js';
import { toolServices } from './tool-services.js';

/**
 * `npm run edge:dev`: the Worker under workerd (`wrangler dev --local`) on
 * 127.0.0.1:${EDGE_PORT:-8787} with its Durable Objects and a local R2, and, without DATABASE_URL,
 * a sqld of its own under EDGE_DATA_DIR (default ./data/edge), migrated, with ROOT from
 * ROOT_PASSWORD (or a generated one, printed, as `npm start` does). The gateway's variables
 * pass on as Worker vars; a JWT_SECRET is made for the run when none is set. Ctrl-C stops it all.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
/** Stops what it started (waiting for each to end, SIGKILL after 5 s), then exits with `code`. */
const stop = async (code: number) => {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const ended = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const late = setTimeout(() => c.kill('SIGKILL'), 5000);
      await ended;
      clearTimeout(late);
    }),
  );
  process.exit(code);
};

try {
  const dataDir = resolve(process.env.EDGE_DATA_DIR ?? 'data/edge');
  const port = Number(process.env.EDGE_PORT ?? 8787);
  await mkdir(dataDir, { recursive: true });
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const sqldPort = await freePort();
    children.push(await runSqld(join(dataDir, 'db.sqld'), sqldPort));
    databaseUrl = `http://127.0.0.1:${sqldPort}`;
  }
  const rootPassword = process.env.ROOT_PASSWORD ?? toHex(randomBytes(9));
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    ROOT_PASSWORD: rootPassword,
    JWT_SECRET: process.env.JWT_SECRET ?? toHex(randomBytes(32)),
  };
  const config = loadConfig({ ...env, BLOB_DIR: join(dataDir, 'blobs') });
  const { db, applied, rootCreated } = await toolServices(config, consoleLogger('warn', { service: 'edge-dev' }, console.error));
  db.close();
  if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
  if (rootCreated) console.log(`created ROOT user '${config.ROOT_USERNAME}'${process.env.ROOT_PASSWORD ? '' : ` with password: ${rootPassword}`}`);

  // ROOT_PASSWORD made its account here; the Worker reads the rest.
  const vars = CONFIG_NAMES.filter((name) => name !== 'ROOT_PASSWORD' && env[name] !== undefined).flatMap((name) => [
    '--var',
    `${name}:${env[name]}`,
  ]);
  const wrangler = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      join(dataDir, 'wrangler'),
      '--show-interactive-dev-session=false',
      ...vars,
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  children.push(wrangler);
  wrangler.once('exit', (code) => void stop(code ?? 1));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `edge:dev failed: ${(err as Error).message}`);
  await stop(1);
}
