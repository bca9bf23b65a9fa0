import { busMessages } from '../../bus/iterate.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { requireJudgeUser } from './access.js';
import { CASE_VIEW_SELECT, CaseStatus, rowToCaseView, type CaseView, type LeaderboardEntry } from './case-view.js';
import type { DatasetsService } from './datasets.js';
import { CASE_TOPIC, type CaseEvent } from './events.js';

const DAY_MS = 24 * 3600_000;
const MAX_PAGE_SIZE = 100;

/** Reading cases: a user's own list, one case, the leaderboard, the daily quota. */
export function casesService(deps: Deps, datasets: DatasetsService) {
  const { db, now, config } = deps;

  async function countLastDay(userId: string, ex: Pick<Deps['db'], 'execute'> = db): Promise<number> {
    const rs = await ex.execute({
      sql: 'SELECT COUNT(*) AS n FROM cases WHERE user_id = ? AND submit_time > ?',
      args: [userId, now() - DAY_MS],
    });
    return Number(rs.rows[0]!.n);
  }

  return {
    countLastDay,

    async page(actor: User | null, page: number, size: number): Promise<{ carpCases: CaseView[]; total: number }> {
      const u = requireJudgeUser(actor, JudgeType.USER);
      if (!Number.isInteger(page) || page < 0) throw invalid('Invalid page!');
      if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw invalid('Invalid size!');
      const [rows, total] = await Promise.all([
        db.execute({
          sql: `${CASE_VIEW_SELECT} WHERE c.user_id = ? ORDER BY c.submit_time DESC, c.id DESC LIMIT ? OFFSET ?`,
          args: [u.id, size, page * size],
        }),
        db.execute({ sql: 'SELECT COUNT(*) AS n FROM cases WHERE user_id = ?', args: [u.id] }),
      ]);
      return { carpCases: rows.rows.map(rowToCaseView), total: Number(total.rows[0]!.n) };
    },

    /** One case, for its owner only (as the original). */
    async byId(actor: User | null, cid: string | undefined): Promise<CaseView> {
      const u = requireJudgeUser(actor, JudgeType.USER);
      if (!cid) throw invalid('No case id!');
      const r = (await db.execute({ sql: `${CASE_VIEW_SELECT} WHERE c.id = ?`, args: [cid] })).rows[0];
      if (!r) throw notFound('Invalid case id!');
      const view = rowToCaseView(r);
      if (view.userId !== u.id) throw forbidden("You don't own this case!");
      return view;
    },

    /**
     * A case as it moves through the queue: its current state, then every change, ending once it
     * is judged. Only its owner may watch it, as only its owner may read it.
     */
    async *watch(actor: User | null, cid: string, signal?: AbortSignal): AsyncGenerator<CaseView> {
      await this.byId(actor, cid); // access check before subscribing
      // Subscribed before the state is read, so a change in between is not missed.
      const updates = busMessages<CaseEvent>(deps.bus, CASE_TOPIC, (e) => e.id === cid, signal);
      try {
        let current = await this.byId(actor, cid);
        yield current;
        while (current.status < CaseStatus.FINISHED) {
          const next = await updates.next();
          if (next.done) return;
          current = await this.byId(actor, cid);
          yield current;
        }
      } finally {
        await updates.return?.();
      }
    },

    /** Each user once, with their best valid finished case: cost, then time, then submitTime. */
    async leaderboard(actor: User | null, datasetId: string | undefined): Promise<LeaderboardEntry[]> {
      requireJudgeUser(actor, JudgeType.USER);
      if (!datasetId) throw invalid('No dataset!');
      await datasets.require(datasetId);
      // judge_best holds each user's best valid case (kept by triggers, migrations/0003).
      const rs = await db.execute({
        sql: `SELECT u.username, b.dataset_id, b.submit_time, b.time, b.cost FROM judge_best b
              JOIN users u ON u.id = b.user_id
              WHERE b.dataset_id = ? ORDER BY b.cost, b.time, b.submit_time, b.case_id`,
        args: [datasetId],
      });
      return rs.rows.map((r) => ({
        userName: String(r.username),
        datasetId: String(r.dataset_id),
        submitTime: Number(r.submit_time),
        time: Number(r.time),
        cost: Number(r.cost),
      }));
    },

    /** The original's formula, remain = limit - submissions in the last 24 h (only USERs are held to it). */
    async remain(actor: User | null): Promise<{ remain: number; total: number }> {
      const u = requireJudgeUser(actor, JudgeType.USER);
      const total = config.JUDGE_DAILY_LIMIT;
      return { remain: total - (await countLastDay(u.id)), total };
    },
  };
}

export type CasesService = ReturnType<typeof casesService>;
