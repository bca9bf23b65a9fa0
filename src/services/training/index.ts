import { contestsModel, type Contest } from '../contests/contests.js';
import type { Deps } from '../deps.js';
import { ServiceError, notFound } from '../errors.js';
import type { SubmitService } from '../judge/submit.js';
import type { User, UsersService } from '../users.js';
import { commentsService } from './comments.js';
import { roomsService } from './rooms.js';
import { CONTEST_NOT_FOUND, sessionsService } from './sessions.js';
import { submissionsService } from './submissions.js';
import { requireTrainee, teamsService } from './teams.js';

/**
 * Team training (spec 001): teams, training sessions on the contests, their problems,
 * submissions to the judge, comments; and the rooms' contract with the socket host:
 * `canJoin`, `recordFrame`, `userLeft` (server-sent room frames go out through `publishRoomFrame`).
 */
export function trainingService(deps: Deps, users: UsersService, judge: SubmitService) {
  const rooms = roomsService(deps);
  const sessions = sessionsService(deps, rooms);
  // The one contests model (stateless: the same rules as services.contests, which GraphQL and tRPC read).
  const contestModel = contestsModel(deps, users);
  return {
    canJoin: rooms.canJoin,
    recordFrame: rooms.recordFrame,
    userLeft: rooms.userLeft,
    rooms,
    teams: teamsService(deps, users),
    sessions,
    submissions: submissionsService(deps, sessions, judge),
    comments: commentsService(deps, sessions),

    /** The contests a session can be started on (the integration API's contests). */
    async contests(actor: User | null): Promise<{ id: number; name: string }[]> {
      requireTrainee(actor);
      const rs = await deps.db.execute('SELECT id, name FROM contests ORDER BY id');
      return rs.rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
    },

    /** One contest as the contests model holds it (id, name, tasks): GET /contests/{contest_id}. */
    async contest(actor: User | null, id: number): Promise<Contest> {
      requireTrainee(actor);
      try {
        return await contestModel.get(actor, id);
      } catch (err) {
        if (err instanceof ServiceError && err.kind === 'not_found') throw notFound(CONTEST_NOT_FOUND);
        throw err;
      }
    },
  };
}
