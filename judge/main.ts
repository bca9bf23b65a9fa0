import { ConfigError, loadConfig } from '../src/config.js';
import { nodeLogger } from '../src/node/logger.js';
import type { Logger } from '../src/observe/logger.js';
import { TRPCClientError } from '@trpc/client';
import { gatewayClient } from './gateway-client.js';
import { startJudge } from './judge.js';
import { pauseBeforeRetry } from './retry.js';
import { createRunner } from './runners/index.js';

/** How long a judge whose gateway process is gone waits for the cases in hand (their reports cannot land anyway). */
const ORPHAN_GRACE_MS = 3000;

let judge: ReturnType<typeof startJudge> | null = null;
// Until the configuration is read, at the default level.
let log: Logger = nodeLogger('info', 'judge');

function finish(why: string, graceMs?: number): void {
  log.info({}, `${why}: finishing cases in hand`);
  const stopped = judge ? judge.stop() : Promise.resolve();
  if (graceMs !== undefined) setTimeout(() => process.exit(0), graceMs).unref();
  stopped.then(() => process.exit(0));
}

// Started by `npm start` (src/node/embedded-judge.ts): the gateway holds the write end of our
// stdin, and its end, however the gateway ended (SIGKILL, a crash), ends this judge too.
if (process.argv.includes('--with-parent')) {
  process.stdin.on('end', () => finish('the gateway process is gone', ORPHAN_GRACE_MS));
  process.stdin.resume();
}

/** `npm run judge`: one judge process serving the gateway at JUDGE_GATEWAY_URL. */
try {
  const config = loadConfig(process.env);
  log = nodeLogger(config.LOG_LEVEL, 'judge');
  if (!config.JUDGE_GATEWAY_URL) throw new ConfigError('Invalid configuration: JUDGE_GATEWAY_URL: required to run a judge');
  if (!config.JUDGE_PASSWORD) throw new ConfigError('Invalid configuration: JUDGE_PASSWORD: required to run a judge');
  const runner = createRunner(config.JUDGE_RUNNER, config.JUDGE_DOCKER_IMAGE ? { docker: { image: config.JUDGE_DOCKER_IMAGE } } : {});
  const client = gatewayClient(config.JUDGE_GATEWAY_URL, config.JUDGE_USERNAME, config.JUDGE_PASSWORD);
  // A judge may start before its gateway: it waits, with back-off. A gateway that answers and
  // refuses the account is a configuration error.
  for (let attempt = 1; ; attempt++) {
    try {
      await client.login();
      break;
    } catch (err) {
      if (err instanceof TRPCClientError && err.data) throw err;
      await pauseBeforeRetry(attempt, err, log);
    }
  }
  judge = startJudge({
    client,
    runner,
    concurrency: config.JUDGE_CONCURRENCY,
    solverCommand: config.JUDGE_SOLVER_COMMAND,
    workDirMb: config.JUDGE_WORKDIR_MB,
    log,
  });
  log.info(
    { runner: runner.kind, concurrency: config.JUDGE_CONCURRENCY, gateway: config.JUDGE_GATEWAY_URL },
    `judge (${runner.kind}, ${config.JUDGE_CONCURRENCY} at a time) serving ${config.JUDGE_GATEWAY_URL}`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => finish(signal));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `judge failed to start: ${(err as Error).message}`);
  process.exit(1);
}
