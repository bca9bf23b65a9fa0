import type { Executor } from '../../db/types.js';
import type { Deps } from '../deps.js';
import type { User } from '../users.js';

/**
 * The training rooms' side of the services (spec 001): who may join a lobby or a training
 * room, what of a room's frames is kept (the original's Redis keys, here rows in libSQL), and
 * the frames the server itself sends to a room, over the bus, to every node's sockets.
 */

/** Which of spec 001's two room types: a team's lobby or a training session's room. */
export type TrainingRoomType = 'lobby' | 'training';

export const lobbyRoom = (teamId: number | string) => `lobby:${teamId}`;
export const trainingRoom = (sessionId: string) => `training:${sessionId.toLowerCase()}`;

/** What one stored value may weigh; a bigger one is ignored, like any other bad frame. */
export const ROOM_LIMITS = {
  /** CODE_EDITOR_UPDATE's code, in UTF-8 bytes. */
  codeBytes: 256 * 1024,
  /** A USER's or PROBLEM_ASSIGNED's `user`, as JSON, in UTF-8 bytes. */
  userJsonBytes: 4 * 1024,
  /** CONTROL_TAKEN's userId and a USER's id, in characters. */
  idChars: 128,
  /** Distinct users kept in one room's online list; later ids are not added. */
  onlineUsers: 64,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TEAM_ID = /^[0-9]{1,15}$/;

/** A lobby's team id (decimal, as the socket's `team_id`), or null when it cannot name a team. */
export function teamIdOf(roomId: string): number | null {
  if (!TEAM_ID.test(roomId)) return null;
  const n = Number(roomId);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A training room's session id (a UUID, lowercased), or null. */
function sessionIdOf(roomId: string): string | null {
  const id = roomId.toLowerCase();
  return UUID.test(id) ? id : null;
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An id as clients send it: a non-empty string, or an integer number (read back as its decimal string). */
function idString(v: unknown): string | null {
  if (typeof v === 'string') return v.length > 0 && v.length <= ROOM_LIMITS.idChars ? v : null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return null;
}

/** JSON text of a client value within `maxBytes`, or null when it cannot be kept. */
function jsonWithin(v: unknown, maxBytes: number): string | null {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    return null;
  }
  return text !== undefined && utf8Length(text) <= maxBytes ? text : null;
}

export function roomsService(deps: Deps) {
  const { db, now } = deps;

  async function isMember(teamId: number, userId: string, ex: Executor = db): Promise<boolean> {
    const rs = await ex.execute({ sql: 'SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?', args: [teamId, userId] });
    return rs.rows.length > 0;
  }

  async function sessionTeam(sessionId: string): Promise<number | null> {
    const r = (await db.execute({ sql: 'SELECT team_id FROM training_sessions WHERE id = ?', args: [sessionId] })).rows[0];
    return r ? Number(r.team_id) : null;
  }

  async function teamExists(teamId: number): Promise<boolean> {
    return (await db.execute({ sql: 'SELECT 1 FROM teams WHERE id = ?', args: [teamId] })).rows.length > 0;
  }

  async function problemExists(sessionId: string, alias: string): Promise<boolean> {
    const rs = await db.execute({
      sql: 'SELECT 1 FROM training_problems WHERE session_id = ? AND alias = ?',
      args: [sessionId, alias],
    });
    return rs.rows.length > 0;
  }

  /** The room's key in room_online, when the room exists; null otherwise. */
  async function onlineKey(kind: TrainingRoomType, roomId: string): Promise<string | null> {
    if (kind === 'lobby') {
      const team = teamIdOf(roomId);
      return team !== null && (await teamExists(team)) ? String(team) : null;
    }
    const sid = sessionIdOf(roomId);
    return sid !== null && (await sessionTeam(sid)) !== null ? sid : null;
  }

  /** USER: the room's online list, one entry per user id (string compare), in the order first seen. */
  async function recordUser(kind: TrainingRoomType, roomId: string, payload: Record<string, unknown>): Promise<void> {
    const user = payload.user;
    if (!isObject(user)) return;
    const key = idString(user.id);
    if (key === null) return;
    const json = jsonWithin(user, ROOM_LIMITS.userJsonBytes);
    if (json === null) return;
    const room = await onlineKey(kind, roomId);
    if (room === null) return;
    // One statement: an id already listed is updated in place; a new one is added while the
    // room holds fewer than the cap, with the next sequence number.
    await db.execute({
      sql: `INSERT INTO room_online (kind, room_id, user_key, user_json, seq)
            SELECT ?, ?, ?, ?, COALESCE((SELECT MAX(seq) FROM room_online WHERE kind = ? AND room_id = ?), 0) + 1
            WHERE EXISTS (SELECT 1 FROM room_online WHERE kind = ? AND room_id = ? AND user_key = ?)
               OR (SELECT COUNT(*) FROM room_online WHERE kind = ? AND room_id = ?) < ?
            ON CONFLICT (kind, room_id, user_key) DO UPDATE SET user_json = excluded.user_json`,
      args: [kind, room, key, json, kind, room, kind, room, key, kind, room, ROOM_LIMITS.onlineUsers],
    });
  }

  /** CONTEST_SELECTED (the backend's later versions): the lobby's chosen contest, a string or an integer as sent. */
  async function recordContest(roomId: string, payload: Record<string, unknown>): Promise<void> {
    const v = payload.contestId;
    const ok = (typeof v === 'string' && v.length <= ROOM_LIMITS.idChars) || (typeof v === 'number' && Number.isSafeInteger(v));
    if (!ok) return;
    const team = teamIdOf(roomId);
    if (team === null || !(await teamExists(team))) return;
    await db.execute({
      sql: `INSERT INTO lobby_contests (team_id, contest_json, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (team_id) DO UPDATE SET contest_json = excluded.contest_json, updated_at = excluded.updated_at`,
      args: [team, JSON.stringify(v), now()],
    });
  }

  async function recordTraining(sessionId: string, type: string, payload: Record<string, unknown>): Promise<void> {
    switch (type) {
      case 'CODE_EDITOR_UPDATE': {
        const { code, problemAlias } = payload;
        if (typeof code !== 'string' || typeof problemAlias !== 'string') return;
        if (utf8Length(code) > ROOM_LIMITS.codeBytes) return;
        if (!(await problemExists(sessionId, problemAlias))) return;
        await db.execute({
          sql: `INSERT INTO training_code (session_id, alias, code, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (session_id, alias) DO UPDATE SET code = excluded.code, updated_at = excluded.updated_at`,
          args: [sessionId, problemAlias, code, now()],
        });
        return;
      }
      case 'CONTROL_TAKEN': {
        const userId = idString(payload.userId);
        if (userId === null) return;
        if ((await sessionTeam(sessionId)) === null) return;
        await db.execute({
          sql: `INSERT INTO training_controllers (session_id, user_id, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id, updated_at = excluded.updated_at`,
          args: [sessionId, userId, now()],
        });
        return;
      }
      case 'PROBLEM_ASSIGNED': {
        const { problemAlias } = payload;
        if (!('user' in payload) || payload.user === undefined || typeof problemAlias !== 'string') return;
        // Any JSON value is the original's "user information"; null clears the assignment.
        const json = payload.user === null ? null : jsonWithin(payload.user, ROOM_LIMITS.userJsonBytes);
        if (payload.user !== null && json === null) return;
        await db.execute({
          sql: 'UPDATE training_problems SET assigned_user = ? WHERE session_id = ? AND alias = ?',
          args: [json, sessionId, problemAlias],
        });
        return;
      }
      case 'USER':
        return recordUser('training', sessionId, payload);
    }
  }

  return {
    /**
     * May `user` open a socket on the room? Lobby: `roomId` is a team id and the user is one of
     * its members. Training: `roomId` is a session's UUID and the user is a member of its team.
     */
    async canJoin(kind: TrainingRoomType, roomId: string, user: User): Promise<boolean> {
      if (kind === 'lobby') {
        const team = teamIdOf(roomId);
        return team !== null && (await isMember(team, user.id));
      }
      if (kind !== 'training') return false;
      const sid = sessionIdOf(roomId);
      if (sid === null) return false;
      const team = await sessionTeam(sid);
      return team !== null && (await isMember(team, user.id));
    },

    /**
     * Keeps what the room's listened frames carry (spec 001's table): training
     * CODE_EDITOR_UPDATE {code, problemAlias}, CONTROL_TAKEN {userId}, USER {user: {id}},
     * PROBLEM_ASSIGNED {user, problemAlias}; lobby USER, and CONTEST_SELECTED {contestId} (the
     * backend's later versions; a string or an integer). Anything else, a payload missing a
     * field or with a field of the wrong type, an unknown problem or room, or a value past
     * ROOM_LIMITS is ignored silently: bad client data never throws (only a database failure does).
     */
    async recordFrame(kind: TrainingRoomType, roomId: string, frame: { type: string; payload: unknown }): Promise<void> {
      if (!isObject(frame) || typeof frame.type !== 'string' || !isObject(frame.payload)) return;
      if (kind === 'lobby') {
        if (frame.type === 'USER') await recordUser('lobby', roomId, frame.payload);
        else if (frame.type === 'CONTEST_SELECTED') await recordContest(roomId, frame.payload);
        return;
      }
      if (kind !== 'training') return;
      const sid = sessionIdOf(roomId);
      if (sid === null) return;
      await recordTraining(sid, frame.type, frame.payload);
    },

    /** A socket closed: its user (the id compared as a string) leaves the room's online list. */
    async userLeft(kind: TrainingRoomType, roomId: string, userId: string): Promise<void> {
      const room = kind === 'lobby' ? teamIdOf(roomId) : kind === 'training' ? sessionIdOf(roomId) : null;
      if (room === null) return;
      await db.execute({
        sql: 'DELETE FROM room_online WHERE kind = ? AND room_id = ? AND user_key = ?',
        args: [kind, String(room), String(userId)],
      });
    },

    /** The room's online list: each user's last USER payload, in the order first seen. */
    async online(kind: TrainingRoomType, roomId: string): Promise<unknown[]> {
      const room = kind === 'lobby' ? teamIdOf(roomId) : sessionIdOf(roomId);
      if (room === null) return [];
      const rs = await db.execute({
        sql: 'SELECT user_json FROM room_online WHERE kind = ? AND room_id = ? ORDER BY seq, user_key',
        args: [kind, String(room)],
      });
      return rs.rows.map((r) => JSON.parse(String(r.user_json)) as unknown);
    },

    /** The lobby's last CONTEST_SELECTED `contestId`, as it was sent; null when none. */
    async selectedContest(teamId: number): Promise<string | number | null> {
      const r = (await db.execute({ sql: 'SELECT contest_json FROM lobby_contests WHERE team_id = ?', args: [teamId] })).rows[0];
      return r ? (JSON.parse(String(r.contest_json)) as string | number) : null;
    },

    isMember,
  };
}

export type RoomsService = ReturnType<typeof roomsService>;
