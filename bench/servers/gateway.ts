import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/node/gateway.js';

/** The real gateway on the database the bench prepared (path in argv), no rate limit. */
const [dbPath, blobDir] = process.argv.slice(2);
const config = loadConfig({
  PORT: '0',
  DATABASE_URL: `file:${dbPath}`,
  BLOB_DIR: blobDir!,
  ROOT_PASSWORD: 'bench-root',
  RATE_LIMIT_PER_MINUTE: '0',
});
const gw = await startGateway(config, () => undefined);
process.send?.({ url: gw.url });
