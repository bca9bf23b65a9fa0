// Spec 001's lobby and training sockets (ROOMS-NOTES.md section 1) as room actors:
//   /ws/lobby?team_id=&user_id=                    room lobby:<team_id>
//   /ws/training?training_session_id=&user_id=      room training:<uuid lowercased>
// Handshake: bad or missing parameters, or (unless ROOMS_TRUST_USER_ID=1) no session whose user
// is user_id and may join the room, refuse the upgrade with HTTP 403: what FastAPI/uvicorn
// answered when its handler closed with 1008 before accepting. Past the room's limit
// (ROOM_MAX_CONNECTIONS, counted across nodes): accepted, then closed 1008 with the original's
// reason, nothing broadcast. Joined: USER_JOIN {userId} to the whole room, the joiner included;
// each well-formed frame persisted through the training service, then relayed verbatim to the
// whole room, sender included; a binary frame closes 1003; on close USER_LEAVE to the others.

import type { RoomFrame } from '../bus/room-frames.js';
import type { TrainingRoomType } from '../services/training/rooms.js';
import type { User } from '../services/users.js';
import { pythonUuid } from '../wire/python-uuid.js';
import { SerialActor, type Admission, type Attachment, type RoomContext, type RoomEnv, type RoomKind, type RoomSocket } from './actor.js';
import { lastParam, socketUser } from './auth.js';
import { CloseCode } from './close-codes.js';

/** What these rooms need from the training service (services.training). */
export interface TrainingRoomService {
  /** Whether the user belongs to the team (lobby) or to the session's team (training). */
  canJoin(kind: TrainingRoomType, roomId: string, user: User): Promise<boolean>;
  /** Persists the listened types (CODE_EDITOR_UPDATE, CONTROL_TAKEN, USER, PROBLEM_ASSIGNED). */
  recordFrame(kind: TrainingRoomType, roomId: string, frame: RoomFrame): Promise<void>;
  /** The user's socket closed: drop them from the room's online list. */
  userLeft(kind: TrainingRoomType, roomId: string, userId: string): Promise<void>;
}

const LIMIT_REASON = 'Превышен лимит подключений';
/** Longest accepted team_id / user_id: ids, not documents (and they ride in the attachment). */
const MAX_PARAM = 256;

/**
 * A client frame worth relaying: a JSON object whose `type` is a string (payload optional, other
 * keys kept, as newer clients send their own types). Anything else (not JSON, not an object, no
 * string type) is dropped. `persist` when its keys are exactly type and payload, the only shape
 * the original stored.
 */
export function readFrame(text: string): { frame: RoomFrame; persist: boolean } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (typeof o.type !== 'string') return null;
  const keys = Object.keys(o);
  return { frame: { type: o.type, payload: o.payload }, persist: keys.length === 2 && 'payload' in o };
}

const refuse = () => ({ refuse: new Response(null, { status: 403 }) });

class TrainingRoomActor extends SerialActor {
  constructor(
    ctx: RoomContext,
    private readonly kind: TrainingRoomType,
    private readonly training: TrainingRoomService,
  ) {
    super(ctx);
  }

  protected async onConnect(socket: RoomSocket): Promise<void> {
    const a = socket.attachment();
    if (!(await this.ctx.claimSlot(socket, this.ctx.config.ROOM_MAX_CONNECTIONS))) {
      socket.close(CloseCode.POLICY, LIMIT_REASON);
      return;
    }
    socket.attach({ ...a, joined: true });
    void this.ctx.publish({ room: this.ctx.room, frame: { type: 'USER_JOIN', payload: { userId: a.userId } } });
  }

  protected async onMessage(socket: RoomSocket, data: string | ArrayBuffer): Promise<void> {
    if (!socket.attachment().joined) return;
    if (typeof data !== 'string') {
      socket.close(CloseCode.UNSUPPORTED, 'Binary frames are not accepted');
      return;
    }
    const read = readFrame(data);
    if (!read) return;
    // Persisted first: whoever receives the frame can read it back over REST at once.
    if (read.persist) {
      try {
        await this.training.recordFrame(this.kind, this.ctx.id, read.frame);
      } catch (err) {
        this.ctx.log(`room ${this.ctx.room}: ${read.frame.type} not stored: ${(err as Error).message}`);
      }
    }
    void this.ctx.publish({ room: this.ctx.room, text: data });
  }

  protected async onClose(socket: RoomSocket): Promise<void> {
    const a = socket.attachment();
    if (!a.joined) return;
    socket.attach({ ...a, joined: false });
    await this.ctx.releaseSlot(socket);
    try {
      await this.training.userLeft(this.kind, this.ctx.id, a.userId);
    } catch (err) {
      this.ctx.log(`room ${this.ctx.room}: userLeft failed: ${(err as Error).message}`);
    }
    await this.ctx.publish({ room: this.ctx.room, frame: { type: 'USER_LEAVE', payload: { userId: a.userId } } });
  }
}

/** The lobby or the training room kind, on the given training service. */
export function trainingRoomKind(kind: TrainingRoomType, training: TrainingRoomService): RoomKind {
  const param = kind === 'lobby' ? 'team_id' : 'training_session_id';
  const canonicalId = (raw: string): string | null => (kind === 'lobby' ? (raw.length > 0 && raw.length <= MAX_PARAM ? raw : null) : pythonUuid(raw));

  return {
    name: kind,
    paths: [`/ws/${kind}`],
    canonicalId,
    async admit(req: Request, env: RoomEnv): Promise<Admission> {
      const url = new URL(req.url);
      const rawId = lastParam(url, param);
      const userId = lastParam(url, 'user_id');
      const id = rawId === null ? null : canonicalId(rawId);
      if (id === null || !userId || userId.length > MAX_PARAM) return refuse();
      if (env.config.ROOMS_TRUST_USER_ID !== '1') {
        const user = await socketUser(env.services, req, url);
        if (!user || user.id !== userId || !(await training.canJoin(kind, id, user))) return refuse();
      }
      return { room: `${kind}:${id}`, attachment: { userId, joined: false } satisfies Attachment };
    },
    create: (ctx) => new TrainingRoomActor(ctx, kind, training),
    mayWatch: (_env, user, id) => training.canJoin(kind, id, user),
  };
}
