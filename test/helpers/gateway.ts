import { silentLogger } from '../../src/observe/logger.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/node/gateway.js';

export const ROOT_PASSWORD = 'root-pass-1';
const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface TestGateway extends Gateway {
  dir: string;
  dbUrl: string;
  stop(): Promise<void>;
}

/** A real gateway on 127.0.0.1 with a fresh libSQL file and blob dir in a temp directory. */
export async function startTestGateway(env: Record<string, string> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'arena-test-'));
  const dbUrl = `file:${join(dir, 'arena.db')}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl,
    BLOB_DIR: join(dir, 'blobs'),
    ROOT_USERNAME: 'root',
    ROOT_PASSWORD,
    RATE_LIMIT_PER_MINUTE: '0',
    JWT_SECRET,
    ...env,
  });
  const gw = await startGateway(config, { log: silentLogger, ...options });
  return {
    ...gw,
    dir,
    dbUrl,
    async stop() {
      await gw.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Another gateway node in this process on `first`'s database and blobs; `env` adds what else they share (REDIS_URL, ...). */
export function startPeerGateway(first: TestGateway, env: Record<string, string> = {}): Promise<Gateway> {
  return startGateway(
    loadConfig({
      PORT: '0',
      DATABASE_URL: first.dbUrl,
      BLOB_DIR: `${first.dir}/blobs`,
      ROOT_PASSWORD,
      RATE_LIMIT_PER_MINUTE: '0',
      JWT_SECRET,
      ...env,
    }),
    { log: silentLogger },
  );
}
