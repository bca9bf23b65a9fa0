import { recheckMs } from '../../bus/bus.js';
import { randomBytes, toBase64, toHex } from '../../identity/encoding.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { ServiceError, notFound } from '../errors.js';
import type { User } from '../users.js';
import { requireJudgeUser } from './access.js';
import { CaseStatus } from './case-view.js';
import type { DatasetsService } from './datasets.js';
import { CASE_TOPIC, publishCaseEvent, type CaseEvent } from './events.js';

const MAX_ATTEMPTS = 3;
export const GAVE_UP_REASON = `Judging failed ${MAX_ATTEMPTS} times!`;

/** A claimed case as a worker receives it: everything needed to run it, and its lease. */
export interface ClaimedCase {
  id: string;
  leaseId: string;
  leaseExpires: number;
  attempt: number;
  dataset: { id: string; name: string; time: number; memory: number; cpu: number; data: string; command: string | null };
}

export interface CaseReport {
  timedout: boolean;
  stdout: string;
  outOverflow: boolean;
  stderr: string;
  errOverflow: boolean;
  time: number;
  exitcode: number;
  status: 3 | 4;
  valid: boolean;
  cost: number;
  reason: string | null;
}

const leaseLost = () => new ServiceError('conflict', 'Lease lost!');

/**
 * The judge queue (spec 004 lifecycle): WAITING -> QUEUED (claimed, with a lease) -> RUNNING ->
 * FINISHED. Every transition is one conditional UPDATE, so two workers can never both win a case,
 * and a worker whose lease ran out can no longer touch it.
 */
export function queueService(deps: Deps, datasets: DatasetsService) {
  const { db, now, config, bus } = deps;
  const leaseMs = config.JUDGE_LEASE_SECONDS * 1000;
  // One lasting subscription wakes every local waiter: no per-claim subscribe round trip to a
  // Redis bus, and the topic stays subscribed for case watchers too.
  const waiters = new Set<() => void>();
  bus.subscribe(CASE_TOPIC, (m) => {
    if ((m as CaseEvent).status === CaseStatus.WAITING) for (const wake of [...waiters]) wake();
  });

  const event = async (id: string, patch: Partial<CaseEvent> = {}) => {
    const r = (await db.execute({ sql: 'SELECT id, status, user_id, dataset_id, valid, cost, reason FROM cases WHERE id = ?', args: [id] })).rows[0];
    if (!r) return;
    await publishCaseEvent(deps, {
      id,
      status: Number(r.status),
      userId: String(r.user_id),
      datasetId: String(r.dataset_id),
      valid: Boolean(r.valid),
      cost: Number(r.cost),
      reason: r.reason === null ? null : String(r.reason),
      ...patch,
    });
  };

  async function claimOnce(worker: User): Promise<ClaimedCase | null> {
    const leaseId = toHex(randomBytes(16));
    const expires = now() + leaseMs;
    const r = (
      await db.execute({
        sql: `UPDATE cases SET status = ${CaseStatus.QUEUED}, lease_id = ?, lease_worker = ?, lease_expires = ?,
                judge_worker = ?, attempts = attempts + 1
              WHERE id = (SELECT id FROM cases WHERE status = ${CaseStatus.WAITING} ORDER BY submit_time, id LIMIT 1)
                AND status = ${CaseStatus.WAITING}
              RETURNING id, dataset_id, attempts`,
        args: [leaseId, worker.id, expires, worker.id],
      })
    ).rows[0];
    if (!r) return null;
    deps.metrics.claimed();
    const d = await datasets.get(String(r.dataset_id));
    if (!d) throw notFound('Invalid dataset!');
    await event(String(r.id));
    return {
      id: String(r.id),
      leaseId,
      leaseExpires: expires,
      attempt: Number(r.attempts),
      dataset: { id: d.id, name: d.name, time: d.time, memory: d.memory, cpu: d.cpu, data: d.data, command: d.command },
    };
  }

  /** Resolves when a case is queued, after `ms`, or when the caller goes away: no polling on a bus that reaches every node. */
  function nextQueued(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // At the edge a case may be queued in another isolate, out of this bus's reach: looked for again each second.
      const timer = setTimeout(done, Math.min(ms, recheckMs(bus)));
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  async function holding(id: string, leaseId: string, statuses: number[]) {
    const r = (
      await db.execute({
        sql: `SELECT archive_key FROM cases WHERE id = ? AND lease_id = ? AND lease_expires > ?
              AND status IN (${statuses.join(',')})`,
        args: [id, leaseId, now()],
      })
    ).rows[0];
    if (!r) throw leaseLost();
    return r;
  }

  return {
    /** How many cases are in each status (the metrics' gauge). */
    async statusCounts(): Promise<Record<keyof typeof CaseStatus, number>> {
      const rs = await db.execute('SELECT status, COUNT(*) AS n FROM cases GROUP BY status');
      const counts = { WAITING: 0, QUEUED: 0, RUNNING: 0, FINISHED: 0, ERROR: 0 };
      const names = Object.keys(CaseStatus) as (keyof typeof CaseStatus)[];
      for (const r of rs.rows) {
        const name = names.find((k) => CaseStatus[k] === Number(r.status));
        if (name) counts[name] = Number(r.n);
      }
      return counts;
    },

    /**
     * Claims the oldest waiting case; with `waitMs`, waits that long for one to be submitted. A
     * caller that hung up (`signal`) claims nothing: no case is leased to a worker that left.
     */
    async claim(actor: User | null, waitMs = 0, signal?: AbortSignal): Promise<ClaimedCase | null> {
      const worker = requireWorker(actor);
      const deadline = now() + Math.min(Math.max(waitMs, 0), 30_000);
      for (;;) {
        if (signal?.aborted) return null;
        await this.expireLeases();
        const claimed = await claimOnce(worker);
        if (claimed || now() >= deadline) return claimed;
        await nextQueued(deadline - now(), signal);
      }
    },

    /** The submitted archive (base64) of a case the caller holds. */
    async archive(actor: User | null, id: string, leaseId: string): Promise<string> {
      requireWorker(actor);
      const r = await holding(id, leaseId, [CaseStatus.QUEUED, CaseStatus.RUNNING]);
      const bytes = await deps.blobs.get(String(r.archive_key));
      if (!bytes) throw notFound('Archive not found!');
      return toBase64(bytes);
    },

    /** QUEUED -> RUNNING; judgeTime is when the worker started the solver. */
    async start(actor: User | null, id: string, leaseId: string): Promise<void> {
      requireWorker(actor);
      const rs = await db.execute({
        sql: `UPDATE cases SET status = ${CaseStatus.RUNNING}, judge_time = ?, lease_expires = ?
              WHERE id = ? AND lease_id = ? AND lease_expires > ? AND status = ${CaseStatus.QUEUED}`,
        args: [now(), now() + leaseMs, id, leaseId, now()],
      });
      if (rs.rowsAffected !== 1) throw leaseLost();
      await event(id);
    },

    /** Extends the lease while the solver runs. */
    async renew(actor: User | null, id: string, leaseId: string): Promise<{ leaseExpires: number }> {
      requireWorker(actor);
      const expires = now() + leaseMs;
      const rs = await db.execute({
        sql: `UPDATE cases SET lease_expires = ? WHERE id = ? AND lease_id = ? AND lease_expires > ?
              AND status IN (${CaseStatus.QUEUED}, ${CaseStatus.RUNNING})`,
        args: [expires, id, leaseId, now()],
      });
      if (rs.rowsAffected !== 1) throw leaseLost();
      return { leaseExpires: expires };
    },

    /** The verdict; refused unless the caller still holds a live lease on the case. */
    async report(actor: User | null, id: string, leaseId: string, r: CaseReport): Promise<void> {
      requireWorker(actor);
      const rs = await db.execute({
        sql: `UPDATE cases SET status = ?, timedout = ?, stdout = ?, out_overflow = ?, stderr = ?, err_overflow = ?,
                time = ?, exitcode = ?, valid = ?, cost = ?, reason = ?, lease_id = NULL, lease_expires = NULL,
                judge_time = COALESCE(judge_time, ?)
              WHERE id = ? AND lease_id = ? AND lease_expires > ? AND status IN (${CaseStatus.QUEUED}, ${CaseStatus.RUNNING})`,
        args: [
          r.status,
          r.timedout ? 1 : 0,
          r.stdout,
          r.outOverflow ? 1 : 0,
          r.stderr,
          r.errOverflow ? 1 : 0,
          r.time,
          r.exitcode,
          r.valid ? 1 : 0,
          r.cost,
          r.reason,
          now(),
          id,
          leaseId,
          now(),
        ],
      });
      if (rs.rowsAffected !== 1) throw leaseLost();
      deps.metrics.judged(r.valid ? 'valid' : 'invalid', r.time);
      await event(id);
    },

    /** Gives up a lease early (worker shutting down): the case waits again without losing an attempt. */
    async release(actor: User | null, id: string, leaseId: string): Promise<void> {
      requireWorker(actor);
      const rs = await db.execute({
        sql: `UPDATE cases SET status = ${CaseStatus.WAITING}, lease_id = NULL, lease_expires = NULL, judge_time = NULL,
                attempts = MAX(attempts - 1, 0)
              WHERE id = ? AND lease_id = ? AND status IN (${CaseStatus.QUEUED}, ${CaseStatus.RUNNING})`,
        args: [id, leaseId],
      });
      if (rs.rowsAffected === 1) await event(id);
    },

    /**
     * Leases that ran out: the case waits again, or after MAX_ATTEMPTS claims finishes invalid.
     * Safe to run anywhere and often: each row changes in one conditional UPDATE.
     */
    async expireLeases(): Promise<number> {
      const t = now();
      const finished = await db.execute({
        sql: `UPDATE cases SET status = ${CaseStatus.FINISHED}, valid = 0, cost = 0, reason = ?, lease_id = NULL, lease_expires = NULL
              WHERE status IN (${CaseStatus.QUEUED}, ${CaseStatus.RUNNING}) AND lease_expires <= ? AND attempts >= ${MAX_ATTEMPTS}
              RETURNING id`,
        args: [GAVE_UP_REASON, t],
      });
      const requeued = await db.execute({
        sql: `UPDATE cases SET status = ${CaseStatus.WAITING}, lease_id = NULL, lease_expires = NULL, judge_time = NULL
              WHERE status IN (${CaseStatus.QUEUED}, ${CaseStatus.RUNNING}) AND lease_expires <= ?
              RETURNING id`,
        args: [t],
      });
      const expired = finished.rows.length + requeued.rows.length;
      if (expired > 0) deps.metrics.leasesExpired(expired);
      for (const r of [...finished.rows, ...requeued.rows]) await event(String(r.id));
      return expired;
    },
  };
}

function requireWorker(actor: User | null): User {
  const u = requireJudgeUser(actor, JudgeType.WORKER);
  if (u.judgeType !== JudgeType.WORKER) throw new ServiceError('forbidden', 'Permission denied!');
  return u;
}

export type QueueService = ReturnType<typeof queueService>;
