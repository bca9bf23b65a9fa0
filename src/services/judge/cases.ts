import { recheckMs } from '../../bus/bus.js';
import { busMessages, readsWithin } from '../../bus/iterate.js';
import { JudgeType } from '../../identity/roles.js';
import { expiringCache } from '../cache.js';
import type { Deps } from '../deps.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { requireJudgeUser } from './access.js';
import { CASE_VIEW_SELECT, CaseStatus, rowToCaseView, type CaseView, type LeaderboardEntry } from './case-view.js';
import { CASE_TOPIC, type CaseEvent } from './events.js';

const DAY_MS = 24 * 3600_000;
const MAX_PAGE_SIZE = 100;
/** Leaderboards kept (one per dataset asked for), and for how long at most. */
const MAX_BOARDS = 256;
const BOARD_TTL_MS = 3600_000;

/** Reading cases: a user's own list, one case, the leaderboard, the daily quota. */
/** Nothing about the case moved: a look again that finds no change sends nothing. */
const sameState = (a: CaseView, b: CaseView) => JSON.stringify(a) === JSON.stringify(b);

export function casesService(deps: Deps) {
  const { db, now, config } = deps;
  // The last leaderboard read per dataset, with the judge_best counter it was read at.
  const boards = expiringCache<string, { version: number; entries: readonly LeaderboardEntry[] }>(BOARD_TTL_MS, MAX_BOARDS, now);

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
        // The wire pages by number: the offset is skipped in the index alone (cases_user_submit,
        // covering), then only the page's rows are read from the table, from its first one on.
        db.execute({
          sql: `${CASE_VIEW_SELECT} WHERE c.user_id = ? AND (c.submit_time, c.id) <= (
                  SELECT submit_time, id FROM cases WHERE user_id = ? ORDER BY submit_time DESC, id DESC LIMIT 1 OFFSET ?)
                ORDER BY c.submit_time DESC, c.id DESC LIMIT ?`,
          args: [u.id, u.id, page * size, size],
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
      // At the edge the judge may report to another isolate: the case is read again each second too.
      const read = readsWithin(updates, recheckMs(deps.bus));
      try {
        let current = await this.byId(actor, cid);
        yield current;
        while (current.status < CaseStatus.FINISHED) {
          const next = await read();
          if (next?.done || signal?.aborted) return;
          const fresh = await this.byId(actor, cid);
          if (next === null && sameState(fresh, current)) continue;
          current = fresh;
          yield current;
        }
      } finally {
        await updates.return?.();
      }
    },

    /**
     * Each user once, with their best valid finished case: cost, then time, then submitTime. The
     * same (frozen) list is returned until the dataset's judge_best counter moves, so a door may
     * keep what it made of it.
     */
    async leaderboard(actor: User | null, datasetId: string | undefined): Promise<readonly LeaderboardEntry[]> {
      requireJudgeUser(actor, JudgeType.USER);
      if (!datasetId) throw invalid('No dataset!');
      const found = await db.execute({
        sql: `SELECT COALESCE(v.version, 0) AS version FROM datasets d
              LEFT JOIN judge_best_versions v ON v.dataset_id = d.id WHERE d.id = ?`,
        args: [datasetId],
      });
      if (found.rows.length === 0) throw notFound('Invalid dataset!');
      const version = Number(found.rows[0]!.version);
      const kept = boards.get(datasetId);
      if (kept?.version === version) return kept.entries;
      // judge_best holds each user's best valid case (kept by triggers, migrations/0003, 0011).
      // Read in one transaction with its counter, so the list is never newer or older than the version kept with it.
      const [rs, counter] = await db.batch(
        [
          {
            sql: `SELECT u.username, b.dataset_id, b.submit_time, b.time, b.cost FROM judge_best b
                  JOIN users u ON u.id = b.user_id
                  WHERE b.dataset_id = ? ORDER BY b.cost, b.time, b.submit_time, b.case_id`,
            args: [datasetId],
          },
          { sql: 'SELECT COALESCE((SELECT version FROM judge_best_versions WHERE dataset_id = ?), 0) AS version', args: [datasetId] },
        ],
        'read',
      );
      const entries = Object.freeze(
        rs!.rows.map((r) =>
          Object.freeze({
            userName: String(r.username),
            datasetId: String(r.dataset_id),
            submitTime: Number(r.submit_time),
            time: Number(r.time),
            cost: Number(r.cost),
          }),
        ),
      );
      boards.set(datasetId, { version: Number(counter!.rows[0]!.version), entries });
      return entries;
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
