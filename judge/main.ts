import { ConfigError, loadConfig } from '../src/config.js';
import { startJudge } from './judge.js';
import { gatewayClient } from './gateway-client.js';
import { createRunner } from './runners/index.js';

/** `npm run judge`: one judge process serving the gateway at JUDGE_GATEWAY_URL. */
try {
  const config = loadConfig(process.env);
  if (!config.JUDGE_GATEWAY_URL) throw new ConfigError('Invalid configuration: JUDGE_GATEWAY_URL: required to run a judge');
  if (!config.JUDGE_PASSWORD) throw new ConfigError('Invalid configuration: JUDGE_PASSWORD: required to run a judge');
  const runner = createRunner(config.JUDGE_RUNNER, config.JUDGE_DOCKER_IMAGE ? { docker: { image: config.JUDGE_DOCKER_IMAGE } } : {});
  const client = gatewayClient(config.JUDGE_GATEWAY_URL, config.JUDGE_USERNAME, config.JUDGE_PASSWORD);
  await client.login();
  const judge = startJudge({ client, runner, concurrency: config.JUDGE_CONCURRENCY, solverCommand: config.JUDGE_SOLVER_COMMAND });
  console.log(`judge (${runner.kind}, ${config.JUDGE_CONCURRENCY} at a time) serving ${config.JUDGE_GATEWAY_URL}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: finishing cases in hand`);
      judge.stop().then(() => process.exit(0));
    });
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `judge failed to start: ${(err as Error).message}`);
  process.exit(1);
}
