import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/node/gateway.js';

/** The real gateway for the rooms bench: database path and blob dir in argv, REDIS_URL from the environment. */
const [dbPath, blobDir] = process.argv.slice(2);
const config = loadConfig({
  PORT: '0',
  DATABASE_URL: `file:${dbPath}`,
  BLOB_DIR: blobDir!,
  ROOT_PASSWORD: 'bench-root',
  RATE_LIMIT_PER_MINUTE: '0',
  // The bench joins anonymous users (the original's legacy mode) and fills rooms of 3.
  ROOMS_TRUST_USER_ID: '1',
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
});
const gw = await startGateway(config, () => undefined);
process.send?.({ url: gw.url });
