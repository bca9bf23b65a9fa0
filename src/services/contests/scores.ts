import type { Executor } from '../../db/types.js';

export interface TaskScore {
  taskId: number;
  score: number;
}

/** A participant's standing: the contest score is the float sum of the rounded task scores. */
export interface Standing {
  contestId: number;
  score: number;
  tasks: TaskScore[];
}

/** Python 2's round(x, ndigits), which the original applied per task: the exact binary value, halves away from zero. */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  return Number(x.toFixed(ndigits));
}

/**
 * A task linked to a CARP dataset scores 100 x reference / own best valid cost, capped at 100,
 * 0 without a valid finished case. The reference is the dataset's best-known cost when set,
 * else the best valid cost anyone has. A cost of 0 cannot be beaten: 100.
 */
export function liveTaskScore(ownCost: number | null, bestKnownCost: number | null, bestCost: number | null): number {
  if (ownCost === null) return 0;
  if (ownCost <= 0) return 100;
  const reference = bestKnownCost ?? bestCost ?? ownCost;
  return Math.min(100, (100 * reference) / ownCost);
}

/**
 * Every participation of a contest (or one user's) with its task scores, computed now from
 * judge_best (each user's best valid finished case per dataset, kept by triggers) and the
 * scores admins set. Tasks in id order, each rounded to its precision, summed in that order.
 */
export async function standings(ex: Executor, contestId: number, userId?: string): Promise<Map<string, Standing & { participationId: number }>> {
  const byUser = userId === undefined ? '' : 'AND p.user_id = ?';
  const args: (string | number)[] = userId === undefined ? [contestId] : [contestId, userId];
  const participations = await ex.execute({
    sql: `SELECT id, user_id FROM participations p WHERE p.contest_id = ? ${byUser} ORDER BY id`,
    args,
  });
  const out = new Map<string, Standing & { participationId: number }>();
  for (const r of participations.rows) {
    out.set(String(r.user_id), { contestId, participationId: Number(r.id), score: 0, tasks: [] });
  }
  if (out.size === 0) return out;
  const rows = await ex.execute({
    sql: `SELECT p.user_id, t.id AS task_id, t.dataset_id, t.score_precision, d.best_known_cost,
            (SELECT MIN(b.cost) FROM judge_best b WHERE b.dataset_id = t.dataset_id) AS best_cost,
            (SELECT b.cost FROM judge_best b WHERE b.dataset_id = t.dataset_id AND b.user_id = p.user_id) AS own_cost,
            (SELECT s.score FROM task_scores s WHERE s.task_id = t.id AND s.participation_id = p.id) AS set_score
          FROM participations p
          JOIN tasks t ON t.contest_id = p.contest_id
          LEFT JOIN datasets d ON d.id = t.dataset_id
          WHERE p.contest_id = ? ${byUser}
          ORDER BY p.id, t.id`,
    args,
  });
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const r of rows.rows) {
    const standing = out.get(String(r.user_id))!;
    const raw = r.dataset_id !== null ? liveTaskScore(num(r.own_cost), num(r.best_known_cost), num(r.best_cost)) : (num(r.set_score) ?? 0);
    const score = pyRound(raw, Number(r.score_precision));
    standing.tasks.push({ taskId: Number(r.task_id), score });
    standing.score += score;
  }
  return out;
}
