import { rowsIn } from '../../db/in-list.js';
import { inTransaction, isUniqueViolation } from '../../db/tx.js';
import type { Executor } from '../../db/types.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { conflict, invalid, notFound } from '../errors.js';
import { ANY_TYPE, requireJudgeUser } from '../judge/access.js';
import type { User, UsersService } from '../users.js';
import { standings, type Standing } from './scores.js';

export interface Task {
  id: number;
  contestId: number;
  name: string;
  /** The CARP dataset the task scores from, live; null = scores set by admins. */
  datasetId: string | null;
  /** Digits each task score keeps (the original's round(score, score_precision)). */
  scorePrecision: number;
}

export interface Contest {
  id: number;
  name: string;
  tasks: Task[];
}

export interface ContestStanding extends Standing {
  userId: number;
  username: string;
}

const CONTEST_NOT_FOUND = 'Contest not found.';
export const USER_NOT_FOUND = 'User not found.';
const PARTICIPATION_NOT_FOUND = 'Participation not found.';
const PARTICIPATION_EXISTS = 'Participation with such username and contest_id already exist.';

const NAME_MAX = 128;
const MAX_PRECISION = 10;
const MAX_SET_SCORE = 1_000_000;

const rowToTask = (r: Record<string, unknown>): Task => ({
  id: Number(r.id),
  contestId: Number(r.contest_id),
  name: String(r.name),
  datasetId: r.dataset_id === null ? null : String(r.dataset_id),
  scorePrecision: Number(r.score_precision),
});

/** An id as the integration API's clients send it; ids past 2^53 cannot exist here. */
const isIdNumber = (n: number) => Number.isSafeInteger(n) && n > 0;

function requireName(name: string | undefined, what: string): string {
  const n = (name ?? '').trim();
  if (!n) throw invalid(`${what} name is required.`);
  if (n.length > NAME_MAX) throw invalid(`${what} name is too long (at most ${NAME_MAX} characters).`);
  return n;
}

/**
 * Contests, their tasks, participations and scores: one model for the integration API
 * (REST), GraphQL and tRPC. Admin operations take the acting user; the integration API, which
 * authenticates by its key, calls the `*Trusted` ones.
 */
export function contestsModel(deps: Deps, users: UsersService) {
  const { db, now } = deps;

  async function contestExists(id: number, ex: Executor = db): Promise<boolean> {
    if (!isIdNumber(id)) return false;
    return (await ex.execute({ sql: 'SELECT 1 FROM contests WHERE id = ?', args: [id] })).rows.length > 0;
  }

  /** The integration API's integer id of a person; added when a user predates the profile rows. */
  async function numberOf(userId: string, ex: Executor = db): Promise<number> {
    const get = async () => (await ex.execute({ sql: 'SELECT num FROM integration_users WHERE user_id = ?', args: [userId] })).rows[0];
    let r = await get();
    if (!r) {
      await ex.execute({ sql: 'INSERT OR IGNORE INTO integration_users (user_id) VALUES (?)', args: [userId] });
      r = await get();
    }
    return Number(r!.num);
  }

  /** Inserts a participation; the contest must exist and the pair must be new. */
  async function insertParticipation(ex: Executor, userId: string, contestId: number): Promise<number> {
    if (!(await contestExists(contestId, ex))) throw notFound(CONTEST_NOT_FOUND);
    try {
      const r = await ex.execute({
        sql: 'INSERT INTO participations (contest_id, user_id, created_at) VALUES (?, ?, ?) RETURNING id',
        args: [contestId, userId, now()],
      });
      return Number(r.rows[0]!.id);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(PARTICIPATION_EXISTS);
      throw err;
    }
  }

  async function tasksOf(contestIds: number[]): Promise<Map<number, Task[]>> {
    const out = new Map<number, Task[]>(contestIds.map((id) => [id, []]));
    const rows = await rowsIn(
      db,
      contestIds,
      (list) => `SELECT id, contest_id, name, dataset_id, score_precision FROM tasks WHERE contest_id IN (${list}) ORDER BY id`,
    );
    for (const r of rows) out.get(Number(r.contest_id))!.push(rowToTask(r));
    return out;
  }

  async function standingOf(user: User, contestId: number): Promise<Standing> {
    const s = isIdNumber(contestId) ? (await standings(db, contestId, user.id)).get(user.id) : undefined;
    if (!s) throw notFound(PARTICIPATION_NOT_FOUND);
    return { contestId: s.contestId, score: s.score, tasks: s.tasks };
  }

  return {
    contestExists,
    numberOf,
    insertParticipation,
    standingOf,

    async list(actor: User | null): Promise<Contest[]> {
      requireJudgeUser(actor, ANY_TYPE);
      const rs = await db.execute('SELECT id, name FROM contests ORDER BY id');
      const tasks = await tasksOf(rs.rows.map((r) => Number(r.id)));
      return rs.rows.map((r) => ({ id: Number(r.id), name: String(r.name), tasks: tasks.get(Number(r.id))! }));
    },

    async get(actor: User | null, id: number): Promise<Contest> {
      requireJudgeUser(actor, ANY_TYPE);
      const r = isIdNumber(id) ? (await db.execute({ sql: 'SELECT id, name FROM contests WHERE id = ?', args: [id] })).rows[0] : undefined;
      if (!r) throw notFound(CONTEST_NOT_FOUND);
      return { id: Number(r.id), name: String(r.name), tasks: (await tasksOf([id])).get(id)! };
    },

    async create(actor: User | null, input: { name?: string }): Promise<Contest> {
      requireJudgeUser(actor, JudgeType.ADMIN);
      const name = requireName(input.name, 'Contest');
      try {
        const r = await db.execute({
          sql: 'INSERT INTO contests (name, created_at) VALUES (?, ?) RETURNING id',
          args: [name, now()],
        });
        return { id: Number(r.rows[0]!.id), name, tasks: [] };
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('Contest with such name already exist.');
        throw err;
      }
    },

    async addTask(
      actor: User | null,
      input: { contestId: number; name?: string; datasetId?: string | null; scorePrecision?: number | null },
    ): Promise<Task> {
      requireJudgeUser(actor, JudgeType.ADMIN);
      const name = requireName(input.name, 'Task');
      const precision = input.scorePrecision ?? 0;
      if (!Number.isInteger(precision) || precision < 0 || precision > MAX_PRECISION) {
        throw invalid(`Score precision must be an integer from 0 to ${MAX_PRECISION}.`);
      }
      const datasetId = input.datasetId || null;
      return inTransaction(db, async (tx) => {
        if (!(await contestExists(input.contestId, tx))) throw notFound(CONTEST_NOT_FOUND);
        if (datasetId !== null) {
          const d = await tx.execute({ sql: 'SELECT 1 FROM datasets WHERE id = ?', args: [datasetId] });
          if (d.rows.length === 0) throw notFound('Dataset not found.');
        }
        try {
          const r = await tx.execute({
            sql: `INSERT INTO tasks (contest_id, name, dataset_id, score_precision, created_at)
                  VALUES (?, ?, ?, ?, ?) RETURNING id`,
            args: [input.contestId, name, datasetId, precision, now()],
          });
          return { id: Number(r.rows[0]!.id), contestId: input.contestId, name, datasetId, scorePrecision: precision };
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict('Task with such name already exist in the contest.');
          throw err;
        }
      });
    },

    /** An admin's score for one participant on a task without a dataset (a linked task scores live). */
    async setScore(actor: User | null, input: { taskId: number; username: string; score: number }): Promise<Standing> {
      const admin = requireJudgeUser(actor, JudgeType.ADMIN);
      if (!Number.isFinite(input.score) || input.score < 0 || input.score > MAX_SET_SCORE) {
        throw invalid(`Score must be a number from 0 to ${MAX_SET_SCORE}.`);
      }
      const user = await users.byUsername(input.username);
      if (!user) throw notFound(USER_NOT_FOUND);
      const contestId = await inTransaction(db, async (tx) => {
        const t = isIdNumber(input.taskId)
          ? (await tx.execute({ sql: 'SELECT contest_id, dataset_id FROM tasks WHERE id = ?', args: [input.taskId] })).rows[0]
          : undefined;
        if (!t) throw notFound('Task not found.');
        if (t.dataset_id !== null) throw invalid("This task scores from its dataset's judge results; its score cannot be set.");
        const p = (
          await tx.execute({
            sql: 'SELECT id FROM participations WHERE contest_id = ? AND user_id = ?',
            args: [Number(t.contest_id), user.id],
          })
        ).rows[0];
        if (!p) throw notFound(PARTICIPATION_NOT_FOUND);
        await tx.execute({
          sql: `INSERT INTO task_scores (task_id, participation_id, score, set_by, set_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (task_id, participation_id) DO UPDATE SET score = excluded.score, set_by = excluded.set_by, set_at = excluded.set_at`,
          args: [input.taskId, Number(p.id), input.score, admin.id, now()],
        });
        return Number(t.contest_id);
      });
      return standingOf(user, contestId);
    },

    async addParticipant(actor: User | null, input: { contestId: number; username: string }): Promise<{ participationId: number }> {
      requireJudgeUser(actor, JudgeType.ADMIN);
      const user = await users.byUsername(input.username);
      if (!user) throw notFound(USER_NOT_FOUND);
      return { participationId: await insertParticipation(db, user.id, input.contestId) };
    },

    /** Every participant's standing (admins). */
    async standings(actor: User | null, contestId: number): Promise<ContestStanding[]> {
      requireJudgeUser(actor, JudgeType.ADMIN);
      if (!(await contestExists(contestId))) throw notFound(CONTEST_NOT_FOUND);
      const all = await standings(db, contestId);
      if (all.size === 0) return [];
      const rows = await rowsIn(
        db,
        [...all.keys()],
        (list) => `SELECT u.id, u.username, iu.num FROM users u LEFT JOIN integration_users iu ON iu.user_id = u.id WHERE u.id IN (${list})`,
      );
      const who = new Map(rows.map((r) => [String(r.id), r]));
      const out: ContestStanding[] = [];
      for (const [userId, s] of all) {
        const r = who.get(userId)!;
        const num = r.num === null ? await numberOf(userId) : Number(r.num);
        out.push({ userId: num, username: String(r.username), contestId: s.contestId, score: s.score, tasks: s.tasks });
      }
      return out;
    },
  };
}

export type ContestsModel = ReturnType<typeof contestsModel>;
