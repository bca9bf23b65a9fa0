// The Deno host (npm run start:deno): the gateway alone, as `npm run gateway` on Node (no embedded judge).
import { ConfigError, loadConfig, type Config } from '../config.js';
import { consoleLogger } from '../observe/logger.js';
import { ServiceError } from '../services/errors.js';
import { type DenoGateway, startDenoGateway } from './gateway.js';
import { Deno } from './runtime.js';

let config: Config;
try {
  config = loadConfig(Deno.env.toObject());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}
if (config.REDIS_URL) {
  console.error('REDIS_URL: the Deno host runs its rooms in-process only; unset it (or run the Node host for a cluster)');
  Deno.exit(1);
}

const log = consoleLogger(config.LOG_LEVEL, { service: 'gateway', runtime: 'deno' });
let gateway: DenoGateway;
try {
  gateway = await startDenoGateway(config, log);
} catch (err) {
  const unreachable = err instanceof ServiceError && err.kind === 'unavailable';
  console.error(`arena gateway failed to start: ${unreachable ? 'the database (DATABASE_URL) cannot be reached' : (err as Error).message}`);
  Deno.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  Deno.addSignalListener(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${signal}: finishing in-flight requests`);
    gateway.close().then(
      () => Deno.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        Deno.exit(1);
      },
    );
  });
}

log.info({ url: gateway.url }, `arena gateway listening on ${gateway.url}`);
