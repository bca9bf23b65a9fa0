import { JudgeType } from '../../identity/roles.js';
import { ServiceError, forbidden } from '../errors.js';
import type { User } from '../users.js';

const NOT_LOGGED_IN = 'Not logged in';
const PERMISSION_DENIED = 'Permission denied';

/**
 * A required argument is absent: spec 003 answers these with code 2 (the original's
 * APIMissingArgumentResponse), every other door with an ordinary bad-input error.
 */
export class MissingArgument extends ServiceError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'MissingArgument';
  }
}

export function requireActor(actor: User | null): User {
  if (!actor) throw new ServiceError('unauthenticated', NOT_LOGGED_IN);
  return actor;
}

/** ROOT and ADMIN confirm profiles (the judge's types: the one identity's roles). */
export function requireAdmin(actor: User | null): User {
  const user = requireActor(actor);
  if (user.judgeType > JudgeType.ADMIN) throw forbidden(PERMISSION_DENIED);
  return user;
}

/**
 * The case-insensitive form names are searched by: Unicode-aware, unlike SQLite's LOWER/LIKE
 * (ASCII only). Stored beside the name and applied to the needle, compared with instr().
 */
export function fold(text: string): string {
  return text.toLowerCase();
}

/** Length in characters (code points), as Python's len() counts them. */
export function charLength(text: string): number {
  return Array.from(text).length;
}
