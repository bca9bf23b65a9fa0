import { silentLogger } from '../../src/observe/logger.js';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/node/gateway.js';

/**
 * The real gateway on the database the bench prepared (path and blob dir in argv), no rate
 * limit. REDIS_URL and ROOMS_TRUST_USER_ID pass through from the environment (the rooms bench
 * joins anonymous users, the original's legacy mode, and may run two nodes over Redis).
 */
const [dbPath, blobDir] = process.argv.slice(2);
const passed = Object.fromEntries(['REDIS_URL', 'ROOMS_TRUST_USER_ID'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
const config = loadConfig({
  PORT: '0',
  DATABASE_URL: `file:${dbPath}`,
  BLOB_DIR: blobDir!,
  ROOT_PASSWORD: 'bench-root',
  RATE_LIMIT_PER_MINUTE: '0',
  ...passed,
});
const gw = await startGateway(config, { log: silentLogger });
// The rooms bench has each server collect its garbage before it reads its memory (it starts them with --expose-gc).
process.on('message', (m) => {
  if (m !== 'gc') return;
  globalThis.gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed });
});
process.send?.({ url: gw.url });
