import { ConfigError, loadConfig, type Config } from '../config.js';
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
const gateway = await startGateway(config, { log });
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
