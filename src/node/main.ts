import { ConfigError, loadConfig, type Config } from '../config.js';
import { ServiceError } from '../services/errors.js';
import { startEmbeddedJudge } from './embedded-judge.js';
import { startGateway } from './gateway.js';
import { nodeLogger } from './logger.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const log = nodeLogger(config.LOG_LEVEL, 'gateway');
let gateway: Awaited<ReturnType<typeof startGateway>>;
try {
  gateway = await startGateway(config, { log });
} catch (err) {
  // What the operator must fix (a database not there, a port taken) is one line, not a stack.
  const unreachable = err instanceof ServiceError && err.kind === 'unavailable';
  console.error(`arena gateway failed to start: ${unreachable ? 'the database (DATABASE_URL) cannot be reached' : (err as Error).message}`);
  process.exit(1);
}
let judge: Awaited<ReturnType<typeof startEmbeddedJudge>> | null = null;

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${signal}: finishing in-flight requests`);
    Promise.all([judge?.stop(), gateway.close()]).then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

log.info({ url: gateway.url }, `arena gateway listening on ${gateway.url}`);
if (!process.argv.includes('--no-judge')) judge = await startEmbeddedJudge(gateway, config);
