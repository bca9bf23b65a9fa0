import type { Deps } from '../deps.js';
import type { SessionsService } from '../sessions.js';
import type { UsersService } from '../users.js';
import { contestsModel } from './contests.js';
import { integrationService } from './integration.js';

/** Contests (model, admin operations, live scores) and the contest integration API (spec 000). */
export function contestsService(deps: Deps, users: UsersService, sessions: SessionsService) {
  const model = contestsModel(deps, users);
  return { ...model, integration: integrationService(deps, users, sessions, model) };
}
