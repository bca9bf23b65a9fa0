import { JudgeType } from '../../identity/roles.js';
import { ServiceError, forbidden } from '../errors.js';
import type { User } from '../users.js';

export const NOT_LOGGED_IN = 'Not logged in!';
export const PERMISSION_DENIED = 'Permission denied!';

/**
 * The judge's one access rule (the original's UserUtils.getUser): a signed-in user whose type
 * number is at most `maxType` (ROOT 0 < ADMIN 100 < USER 200 < WORKER 300).
 */
export function requireJudgeUser(actor: User | null, maxType: JudgeType): User {
  if (!actor) throw new ServiceError('unauthenticated', NOT_LOGGED_IN);
  if (actor.judgeType > maxType) throw forbidden(PERMISSION_DENIED);
  return actor;
}

export const ANY_TYPE = JudgeType.WORKER;
