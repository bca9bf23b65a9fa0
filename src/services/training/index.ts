import type { Deps } from '../deps.js';
import type { UsersService } from '../users.js';
import { roomsService } from './rooms.js';
import { teamsService } from './teams.js';

/**
 * Team training (spec 001): teams, and the rooms' contract with the socket host: `canJoin`,
 * `recordFrame`, `userLeft` (room frames the server sends go out through `publishRoomFrame`).
 */
export function trainingService(deps: Deps, users: UsersService) {
  const rooms = roomsService(deps);
  return {
    canJoin: rooms.canJoin,
    recordFrame: rooms.recordFrame,
    userLeft: rooms.userLeft,
    rooms,
    teams: teamsService(deps, users),
  };
}

export type TrainingService = ReturnType<typeof trainingService>;
