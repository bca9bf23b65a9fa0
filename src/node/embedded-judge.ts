import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { JudgeType } from '../identity/roles.js';
import type { Gateway } from './gateway.js';

const JUDGE_MAIN = fileURLToPath(new URL('../../judge/main.ts', import.meta.url));
// tsx as this install resolves it: the judge starts whatever the working directory is.
const TSX = import.meta.resolve('tsx');
/** A restart waits 1 s, doubling up to this; a judge that ran this long without dying starts the count again. */
const MAX_RESTART_MS = 30_000;
const STABLE_MS = 60_000;

/**
 * `npm start` runs one judge beside the gateway: a separate process (as any other judge host
 * would be), logging in as the WORKER account JUDGE_USERNAME. It is supervised: a judge that
 * dies (an exit code, a signal, kill -9) is logged and started again with back-off, and cleans
 * the work dir its predecessor left. It ends with the gateway however the gateway ends: its
 * stdin is a pipe from this process, and the kernel closes that pipe when this process goes,
 * SIGKILL and crashes included (`--with-parent`).
 */
export async function startEmbeddedJudge(gateway: Gateway, config: Config): Promise<{ stop(): Promise<void> }> {
  const password = config.JUDGE_PASSWORD ?? randomBytes(18).toString('base64url');
  await gateway.services.users.ensureAccount(config.JUDGE_USERNAME, password, JudgeType.WORKER);
  const { log } = gateway;
  let stopping = false;
  let child: ChildProcess;
  let exited: Promise<void>;
  let restarts = 0;
  let restartTimer: ReturnType<typeof setTimeout> | null = null;

  const start = () => {
    const startedAt = Date.now();
    child = spawn(process.execPath, ['--import', TSX, JUDGE_MAIN, '--with-parent'], {
      env: { ...process.env, JUDGE_GATEWAY_URL: gateway.url, JUDGE_USERNAME: config.JUDGE_USERNAME, JUDGE_PASSWORD: password },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    const pid = child.pid;
    log.info({ judgePid: pid }, `judge process ${pid} started`);
    exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        resolve();
        if (stopping) return;
        if (Date.now() - startedAt >= STABLE_MS) restarts = 0;
        const delay = Math.min(MAX_RESTART_MS, 1000 * 2 ** restarts++);
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        log.error({ judgePid: pid, code, signal, restartMs: delay }, `judge process ${pid} ${how}; starting another in ${delay / 1000} s`);
        restartTimer = setTimeout(() => {
          restartTimer = null;
          if (!stopping) start();
        }, delay);
      }),
    );
  };
  start();

  return {
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
