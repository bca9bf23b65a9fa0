import { hostname } from 'node:os';
import { nodeLogger } from '../src/node/logger.js';
import type { Logger } from '../src/observe/logger.js';
import { createCheckPool, type CheckPool } from './carp/pool.js';
import { errorReport } from '../src/carp/verdict.js';
import { solverArgv } from './command.js';
import { pauseBeforeRetry } from './retry.js';
import { claimWorkRoot } from './work-root.js';
import { isLeaseLost, type ClaimedCase, type GatewayClient } from './gateway-client.js';
import type { Runner } from './runners/types.js';
import { SolverArchiveError, unpackSolver } from './unpack.js';

export interface JudgeOptions {
  client: GatewayClient;
  runner: Runner;
  concurrency: number;
  solverCommand: string;
  /** How long one claim waits on the gateway for work (long-poll), ms. */
  waitMs?: number;
  /** Default: pino on stdout at info. */
  log?: Logger;
  /** Where the judges' work folders are (default: the OS temp dir). */
  workBase?: string;
  /** Size of each run's work dir in MB (a tmpfs where the judge may mount one). */
  workDirMb?: number;
}

/**
 * A judge: `concurrency` loops, each claiming a case (long-poll, no busy polling), running its
 * solver in the sandbox while renewing the lease, checking the route in the piscina pool and
 * reporting. A lease lost mid-run aborts the run; the gateway refuses the late report anyway.
 */
export function startJudge(opts: JudgeOptions) {
  const log = (opts.log ?? nodeLogger('info', 'judge')).child({ host: hostname() });
  const pool: CheckPool = createCheckPool();
  const stop = new AbortController();
  // Work dirs under this process' own folder; those of dead judges are removed first.
  const workRoot = claimWorkRoot(opts.workBase).then((root) => {
    if (root.removed.length > 0) log.warn({ removed: root.removed }, 'removed the work dirs of judges that died mid-run');
    return root;
  });
  workRoot.catch(() => undefined); // a failure surfaces in each case that needs the folder
  const { client } = opts;
  let unboundedNoted = false;

  async function judgeOne(c: ClaimedCase): Promise<void> {
    const lease = { id: c.id, leaseId: c.leaseId };
    // Every line of this case's lifecycle carries its id.
    const caseLog = log.child({ caseId: c.id });
    caseLog.info({ dataset: c.dataset.name, attempt: c.attempt }, 'claimed');
    const runAbort = new AbortController();
    const renewEvery = Math.max(1000, (c.leaseExpires - Date.now()) / 3);
    const renew = setInterval(() => {
      client
        .call((t) => t.worker.renew.mutate(lease))
        .catch((err) => {
          if (isLeaseLost(err)) runAbort.abort(new Error('lease lost'));
        });
    }, renewEvery);
    try {
      const archive = Buffer.from(await client.call((t) => t.worker.archive.query(lease)), 'base64');
      let solver;
      try {
        solver = await unpackSolver(archive, c.dataset.data, (await workRoot).dir, { sizeMb: opts.workDirMb });
      } catch (err) {
        if (!(err instanceof SolverArchiveError)) throw err;
        await client.call((t) => t.worker.report.mutate({ ...lease, result: errorReport(err.message) }));
        caseLog.info({ reason: err.message }, 'reported: the archive is not a solver');
        return;
      }
      if (!solver.bounded && opts.workDirMb !== undefined && !unboundedNoted) {
        unboundedNoted = true;
        log.warn({ workDirMb: opts.workDirMb }, 'work dirs are not size-limited (mounting a tmpfs needs root): only the per-file limit holds');
      }
      try {
        await client.call((t) => t.worker.start.mutate(lease));
        caseLog.info({ runner: opts.runner.kind }, 'running');
        const seed = Math.floor(Math.random() * 2 ** 31);
        const argv = solverArgv(c.dataset.command ?? opts.solverCommand, {
          instance: opts.runner.pathInside(solver.dir, 'data.dat'),
          time: c.dataset.time,
          seed,
        });
        const run = await opts.runner.run({
          workDir: solver.dir,
          argv,
          limits: { timeSec: c.dataset.time, memoryMb: c.dataset.memory, cpus: c.dataset.cpu },
          signal: runAbort.signal,
        });
        const verdict = await pool.verdict({ datasetKey: c.dataset.id, instanceText: c.dataset.data, run });
        await client.call((t) => t.worker.report.mutate({ ...lease, result: { ...run, ...verdict } }));
        caseLog.info(
          { valid: verdict.valid, cost: verdict.cost, reason: verdict.reason, time: run.time, exitcode: run.exitcode },
          `reported: ${verdict.valid ? `valid, cost ${verdict.cost}` : verdict.reason}`,
        );
      } finally {
        await solver.cleanup();
      }
    } catch (err) {
      if (runAbort.signal.aborted || isLeaseLost(err)) caseLog.warn({}, 'lease lost, left to the queue');
      else {
        caseLog.error({ err }, 'judging failed; released');
        await client.call((t) => t.worker.release.mutate(lease)).catch(() => undefined);
      }
    } finally {
      clearInterval(renew);
    }
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        const waitMs = opts.waitMs ?? 10_000;
        const c = await client.call((t) => t.worker.claim.mutate({ waitMs }, { signal: stop.signal }));
        failures = 0;
        if (c) await judgeOne(c);
      } catch (err) {
        if (stop.signal.aborted) break;
        await pauseBeforeRetry(++failures, err, log, stop.signal);
      }
    }
  }

  const loops = Array.from({ length: opts.concurrency }, () => loop());
  return {
    /** Stops claiming; cases in hand finish first. */
    async stop(): Promise<void> {
      stop.abort();
      await Promise.all(loops);
      await pool.close();
      await (await workRoot).release();
    },
  };
}
