import { inTransaction } from '../../db/tx.js';
import type { Executor } from '../../db/types.js';
import type { Deps } from '../deps.js';
import { ServiceError, forbidden, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { pyStr } from './format.js';
import { publishRoomFrame } from '../../bus/room-frames.js';
import { lobbyRoom, teamIdOf, trainingRoom, type RoomsService } from './rooms.js';
import { NOT_A_MEMBER, TEAM_NOT_FOUND, isAdmin, requireTrainee } from './teams.js';

type TrainingStatus = 'IN_PROCESS' | 'FINISHED';
export type ProblemStatus = 'NOT_STARTED' | 'PASSED' | 'FAILED';

export interface TrainingSession {
  id: string;
  teamId: number;
  contestId: number;
  status: TrainingStatus;
  /** dt_created, microseconds since the epoch (UTC). */
  createdUs: number;
}

export interface TrainingProblem {
  alias: string;
  taskId: number;
  name: string;
  /** The CARP dataset submissions go to; null = this problem takes no submissions. */
  datasetId: string | null;
  status: ProblemStatus;
  attempts: number;
  /** PROBLEM_ASSIGNED's `user`, as the client sent it; null = nobody. */
  assignedUser: unknown;
}

const SESSION_NOT_FOUND = 'Сессия не найдена';
export const CONTEST_NOT_FOUND = 'Контест не найден';
export const PROBLEM_NOT_FOUND = 'Задача не найдена';

/** Spreadsheet-style aliases, as Yandex.Contest names problems: A..Z, then AA, AB, ... */
function aliasOf(index: number): string {
  let n = index;
  let s = '';
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const rowToSession = (r: Record<string, unknown>): TrainingSession => ({
  id: String(r.id),
  teamId: Number(r.team_id),
  contestId: Number(r.contest_id),
  status: String(r.status) as TrainingStatus,
  createdUs: Number(r.created_us),
});

const rowToProblem = (r: Record<string, unknown>): TrainingProblem => ({
  alias: String(r.alias),
  taskId: Number(r.task_id),
  name: String(r.name),
  datasetId: r.dataset_id === null ? null : String(r.dataset_id),
  status: String(r.status) as ProblemStatus,
  attempts: Number(r.attempts),
  assignedUser: r.assigned_user === null ? null : (JSON.parse(String(r.assigned_user)) as unknown),
});

const isId = (n: number) => Number.isSafeInteger(n) && n > 0;

/**
 * An id as the training API's clients send it: an integer, or its decimal text (the original
 * declared its team and contest ids `str`, and the lobby socket reads `team_id` so); text that
 * is no decimal names nothing (0), and is then an unknown team or contest.
 */
const idOf = (v: number | string): number => (typeof v === 'number' ? v : (teamIdOf(v) ?? 0));

/** The TRAINING_STARTED payload (spec 001): dtCreated as Python's str() of the datetime. */
const startedPayload = (s: TrainingSession) => ({ id: s.id, status: s.status, dtCreated: pyStr(s.createdUs) });

/**
 * Training sessions: one per team and contest (the original's get-or-create), with the
 * contest's tasks as problems A, B, ...; who may see one: members of its team, and admins;
 * who may act in one (start, complete, submit, comment): members of its team.
 */
export function sessionsService(deps: Deps, rooms: RoomsService) {
  const { db, now } = deps;

  async function byId(id: string, ex: Executor = db): Promise<TrainingSession | null> {
    if (!UUID.test(id)) return null;
    const r = (
      await ex.execute({
        sql: 'SELECT id, team_id, contest_id, status, created_us FROM training_sessions WHERE id = ?',
        args: [id.toLowerCase()],
      })
    ).rows[0];
    return r ? rowToSession(r) : null;
  }

  /** The session for a member of its team (`act`) or also an admin (read): 404, then 403. */
  async function access(actor: User | null, id: string, mode: 'read' | 'act'): Promise<{ user: User; session: TrainingSession }> {
    const user = requireTrainee(actor);
    const session = await byId(id);
    if (!session) throw notFound(SESSION_NOT_FOUND);
    if (!(mode === 'read' && isAdmin(user)) && !(await rooms.isMember(session.teamId, user.id))) throw forbidden(NOT_A_MEMBER);
    return { user, session };
  }

  async function teamAccess(actor: User | null, teamId: number, mode: 'read' | 'act'): Promise<User> {
    const user = requireTrainee(actor);
    const exists = isId(teamId) && (await db.execute({ sql: 'SELECT 1 FROM teams WHERE id = ?', args: [teamId] })).rows.length > 0;
    if (!exists) throw notFound(TEAM_NOT_FOUND);
    if (!(mode === 'read' && isAdmin(user)) && !(await rooms.isMember(teamId, user.id))) throw forbidden(NOT_A_MEMBER);
    return user;
  }

  async function contestExists(id: number): Promise<boolean> {
    return isId(id) && (await db.execute({ sql: 'SELECT 1 FROM contests WHERE id = ?', args: [id] })).rows.length > 0;
  }

  async function problems(sessionId: string, alias?: string): Promise<TrainingProblem[]> {
    const rs = await db.execute({
      sql: `SELECT p.alias, p.task_id, t.name, t.dataset_id, p.status, p.attempts, p.assigned_user
            FROM training_problems p JOIN tasks t ON t.id = p.task_id
            WHERE p.session_id = ? ${alias === undefined ? '' : 'AND p.alias = ?'} ORDER BY p.position`,
      args: alias === undefined ? [sessionId] : [sessionId, alias],
    });
    return rs.rows.map(rowToProblem);
  }

  return {
    byId,
    access,
    teamAccess,
    problems,

    /**
     * POST /training-sessions: the team's session on the contest, created IN_PROCESS the first
     * time, its problems added for any task it lacks; every call sends TRAINING_STARTED to the
     * team's lobby again, with the session as it is (a finished one says FINISHED, as the original).
     * The ids may come as text (the original's `str`): text that names nothing is a 404, as the
     * original's lookup answered it.
     */
    async start(actor: User | null, ids: { teamId: number | string; contestId: number | string }): Promise<TrainingSession> {
      const input = { teamId: idOf(ids.teamId), contestId: idOf(ids.contestId) };
      if (!(await contestExists(input.contestId))) {
        requireTrainee(actor);
        throw notFound(CONTEST_NOT_FOUND);
      }
      await teamAccess(actor, input.teamId, 'act');
      const session = await inTransaction(db, async (tx) => {
        await tx.execute({
          sql: `INSERT INTO training_sessions (id, team_id, contest_id, status, created_us) VALUES (?, ?, ?, 'IN_PROCESS', ?)
                ON CONFLICT (team_id, contest_id) DO NOTHING`,
          args: [crypto.randomUUID(), input.teamId, input.contestId, now() * 1000],
        });
        const s = rowToSession(
          (
            await tx.execute({
              sql: 'SELECT id, team_id, contest_id, status, created_us FROM training_sessions WHERE team_id = ? AND contest_id = ?',
              args: [input.teamId, input.contestId],
            })
          ).rows[0]!,
        );
        const tasks = await tx.execute({ sql: 'SELECT id FROM tasks WHERE contest_id = ? ORDER BY id', args: [input.contestId] });
        for (const [i, t] of tasks.rows.entries()) {
          await tx.execute({
            sql: 'INSERT OR IGNORE INTO training_problems (session_id, alias, task_id, position) VALUES (?, ?, ?, ?)',
            args: [s.id, aliasOf(i), Number(t.id), i],
          });
        }
        return s;
      });
      await publishRoomFrame(deps, lobbyRoom(session.teamId), { type: 'TRAINING_STARTED', payload: startedPayload(session) });
      return session;
    },

    async get(actor: User | null, id: string): Promise<TrainingSession> {
      return (await access(actor, id, 'read')).session;
    },

    /** GET /training-sessions?contest_id=&team_id=: 400 for an unknown contest or team, 404 without a session. */
    async find(actor: User | null, input: { contestId: number; teamId: number }): Promise<TrainingSession> {
      requireTrainee(actor);
      if (!(await contestExists(input.contestId))) throw invalid(CONTEST_NOT_FOUND);
      try {
        await teamAccess(actor, input.teamId, 'read');
      } catch (err) {
        if (err instanceof ServiceError && err.kind === 'not_found') throw invalid(TEAM_NOT_FOUND);
        throw err;
      }
      const r = (
        await db.execute({
          sql: 'SELECT id, team_id, contest_id, status, created_us FROM training_sessions WHERE team_id = ? AND contest_id = ?',
          args: [input.teamId, input.contestId],
        })
      ).rows[0];
      if (!r) throw notFound(SESSION_NOT_FOUND);
      return rowToSession(r);
    },

    /** The team's running session (the newest when there are several), to reconnect to. */
    async reconnect(actor: User | null, teamId: number): Promise<TrainingSession> {
      await teamAccess(actor, teamId, 'read');
      const r = (
        await db.execute({
          sql: `SELECT id, team_id, contest_id, status, created_us FROM training_sessions
                WHERE team_id = ? AND status = 'IN_PROCESS' ORDER BY created_us DESC, id LIMIT 1`,
          args: [teamId],
        })
      ).rows[0];
      if (!r) throw notFound(SESSION_NOT_FOUND);
      return rowToSession(r);
    },

    /** FINISHED, and TRAINING_FINISHED (payload null) to the training room, each time it is asked. */
    async complete(actor: User | null, id: string): Promise<TrainingSession> {
      const { session } = await access(actor, id, 'act');
      await db.execute({ sql: "UPDATE training_sessions SET status = 'FINISHED' WHERE id = ?", args: [session.id] });
      const done: TrainingSession = { ...session, status: 'FINISHED' };
      await publishRoomFrame(deps, trainingRoom(done.id), { type: 'TRAINING_FINISHED', payload: null });
      return done;
    },

    async problemList(actor: User | null, id: string): Promise<TrainingProblem[]> {
      const { session } = await access(actor, id, 'read');
      return problems(session.id);
    },

    async problem(actor: User | null, id: string, alias: string): Promise<TrainingProblem> {
      const { session } = await access(actor, id, 'read');
      const [p] = await problems(session.id, alias);
      if (!p) throw notFound(PROBLEM_NOT_FOUND);
      return p;
    },

    /** The editor's last CODE_EDITOR_UPDATE for the problem; "" when none (as the original). */
    async code(actor: User | null, id: string, alias: string): Promise<string> {
      const { session } = await access(actor, id, 'read');
      const r = (await db.execute({ sql: 'SELECT code FROM training_code WHERE session_id = ? AND alias = ?', args: [session.id, alias] })).rows[0];
      return r ? String(r.code) : '';
    },

    /** Every problem's editor content, for room-state queries. */
    async codes(actor: User | null, id: string): Promise<{ alias: string; code: string }[]> {
      const { session } = await access(actor, id, 'read');
      const rs = await db.execute({
        sql: `SELECT p.alias, c.code FROM training_problems p JOIN training_code c ON c.session_id = p.session_id AND c.alias = p.alias
              WHERE p.session_id = ? ORDER BY p.position`,
        args: [session.id],
      });
      return rs.rows.map((r) => ({ alias: String(r.alias), code: String(r.code) }));
    },

    /** CONTROL_TAKEN's last userId; "" when nobody took control. */
    async controller(actor: User | null, id: string): Promise<string> {
      const { session } = await access(actor, id, 'read');
      const r = (await db.execute({ sql: 'SELECT user_id FROM training_controllers WHERE session_id = ?', args: [session.id] })).rows[0];
      return r ? String(r.user_id) : '';
    },

    async online(actor: User | null, id: string): Promise<unknown[]> {
      const { session } = await access(actor, id, 'read');
      return rooms.online('training', session.id);
    },

    /** The lobby's online list (its USER frames); the team id may be text, as the lobby socket's `team_id`. */
    async lobbyOnline(actor: User | null, team: number | string): Promise<unknown[]> {
      const teamId = idOf(team);
      await teamAccess(actor, teamId, 'read');
      return rooms.online('lobby', String(teamId));
    },

    /** The lobby's selected contest (its last CONTEST_SELECTED `contestId`, as sent); null when none. */
    async lobbyContest(actor: User | null, team: number | string): Promise<string | number | null> {
      const teamId = idOf(team);
      await teamAccess(actor, teamId, 'read');
      return rooms.selectedContest(teamId);
    },
  };
}

export type SessionsService = ReturnType<typeof sessionsService>;
