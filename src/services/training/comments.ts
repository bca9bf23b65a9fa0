import type { Deps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { pyIso } from './format.js';
import { publishRoomFrame } from '../../bus/room-frames.js';
import { trainingRoom } from './rooms.js';
import { PROBLEM_NOT_FOUND, type SessionsService } from './sessions.js';
import { peopleOf } from './teams.js';

/** The original's Comment: the author's integer id and names, the problem, the text, when. */
export interface TrainingComment {
  id: number;
  userId: number;
  userFirstName: string;
  userLastName: string;
  userLogin: string;
  problemAlias: string;
  content: string;
  /** ISO 8601 with microseconds and +00:00, as FastAPI wrote datetimes. */
  dtCreated: string;
}

const COMMENT_MAX = 4000;

/** Comments on a session's problems: members of the team write, and the room hears PROBLEM_COMMENT_RECEIVED. */
export function commentsService(deps: Deps, sessions: SessionsService) {
  const { db, now } = deps;

  async function problemOf(sessionId: string, alias: string): Promise<void> {
    if ((await sessions.problems(sessionId, alias)).length === 0) throw notFound(PROBLEM_NOT_FOUND);
  }

  async function view(rows: Record<string, unknown>[]): Promise<TrainingComment[]> {
    const people = await peopleOf(db, [...new Set(rows.map((r) => String(r.user_id)))]);
    return rows.map((r) => {
      const p = people.get(String(r.user_id))!;
      return {
        id: Number(r.id),
        userId: p.userId,
        userFirstName: p.firstName,
        userLastName: p.lastName,
        userLogin: p.login,
        problemAlias: String(r.alias),
        content: String(r.content),
        dtCreated: pyIso(Number(r.created_us)),
      };
    });
  }

  return {
    async send(actor: User | null, sessionId: string, alias: string, content: string): Promise<TrainingComment> {
      const { user, session } = await sessions.access(actor, sessionId, 'act');
      await problemOf(session.id, alias);
      if (content.trim() === '') throw invalid('Комментарий пуст');
      if (content.length > COMMENT_MAX) throw invalid(`Комментарий длиннее ${COMMENT_MAX} символов`);
      const r = await db.execute({
        sql: `INSERT INTO training_comments (session_id, alias, user_id, content, created_us) VALUES (?, ?, ?, ?, ?)
              RETURNING id, alias, user_id, content, created_us`,
        args: [session.id, alias, user.id, content, now() * 1000],
      });
      const [comment] = await view(r.rows);
      await publishRoomFrame(deps, trainingRoom(session.id), { type: 'PROBLEM_COMMENT_RECEIVED', payload: comment });
      return comment!;
    },

    async list(actor: User | null, sessionId: string, alias: string): Promise<TrainingComment[]> {
      const { session } = await sessions.access(actor, sessionId, 'read');
      await problemOf(session.id, alias);
      const rs = await db.execute({
        sql: 'SELECT id, alias, user_id, content, created_us FROM training_comments WHERE session_id = ? AND alias = ? ORDER BY id',
        args: [session.id, alias],
      });
      return view(rs.rows);
    },
  };
}
