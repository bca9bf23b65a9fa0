import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { JudgeType } from '../identity/roles.js';
import type { Gateway } from './gateway.js';

const JUDGE_MAIN = fileURLToPath(new URL('../../judge/main.ts', import.meta.url));
// tsx as this install resolves it: the judge starts whatever the working directory is.
const TSX = import.meta.resolve('tsx');

/**
 * `npm start` runs one judge beside the gateway: a separate process (as any other judge host
 * would be), logging in as the WORKER account JUDGE_USERNAME. It ends with the gateway however
 * the gateway ends: its stdin is a pipe from this process, and the kernel closes that pipe when
 * this process goes, SIGKILL and crashes included (`--with-parent`).
 */
export async function startEmbeddedJudge(gateway: Gateway, config: Config): Promise<{ stop(): Promise<void> }> {
  const password = config.JUDGE_PASSWORD ?? randomBytes(18).toString('base64url');
  await gateway.services.users.ensureAccount(config.JUDGE_USERNAME, password, JudgeType.WORKER);
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, JUDGE_MAIN, '--with-parent'], {
    env: { ...process.env, JUDGE_GATEWAY_URL: gateway.url, JUDGE_USERNAME: config.JUDGE_USERNAME, JUDGE_PASSWORD: password },
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  gateway.log.info({ judgePid: child.pid }, `judge process ${child.pid} started`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) gateway.log.error({ judgePid: child.pid, code }, `judge exited with code ${code}; the gateway keeps serving`);
  });
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
