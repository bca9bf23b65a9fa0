// Spec 003's marking sockets (ROOMS-NOTES.md section 3) as one room actor per event:
//   /ws/mark_me?event_id=    a participant waiting to be marked            room marking:<event uuid>
//   /ws/marking?event_id=    a participant marking others (while running)  same room
// Frames: client {"message", "params"}; server {"result": "ok", "message", "params"?} or
// {"result": "error", "message"}, written as Python's json.dumps (Django Channels' send_json).
// Connect: accepted, then on a failed check an error frame and close 1000, checks in the
// original's order, then the two it lacked (signed in, participant).
//
// Across nodes: the database decides (src/services/marking.ts): a hold, a marking, a leave are
// conditional writes, each logged with the room's next change number in its transaction. The
// entries go out on the bus; every node hands them to its sockets strictly in number order (each
// socket's attachment keeps the last number it got; a gap is read back from the log), so markers
// on all nodes see the list change in the order the database decided. Each node renews the
// leases of its own sockets' rows and holds; rows and holds of a killed node run out and are swept.

import type { MarkingEntry, MarkingEntryKind, MarkingService } from '../services/marking.js';
import type { Services } from '../services/index.js';
import { eventUuid } from '../services/social/events.js';
import { pyJson } from '../wire/python-json.js';
import {
  SerialActor,
  type Admission,
  type Attachment,
  type RoomContext,
  type RoomEnv,
  type RoomKind,
  type RoomMessage,
  type RoomSocket,
} from './actor.js';
import { lastParam, socketUser } from './auth.js';
import { CloseCode } from './close-codes.js';

// The original's messages, verbatim (its typo included).
const NO_EVENT = 'Выбери пару';
const UNKNOWN_EVENT = 'Кажеся, пары не существует';
const NOT_ALLOWED = 'Нельзя так!';
const EVENT_OVER = 'Пара уже закончилась';
const NOT_RUNNING = 'Сейчас эта пара не идет';
const NO_MESSAGE = 'Нет сообщения';
const USER_ID_MISSING = 'user_id is missing';
const ALREADY_CHOSE = 'Ты уже выбрал пользователя';
const BEING_MARKED = 'Его уже отмечают';
// The two checks the original lacked (decided here).
const NOT_SIGNED_IN = 'Сначала войди в аккаунт';
const NOT_PARTICIPANT = 'Ты не участвуешь в этой паре';

/** The original's four `display_msg` texts, verbatim (the stray quote in the first included). */
const DISPLAY_MESSAGES = [
  "Ты такой молодец, я не могу! ^_^' +50 к карме!",
  'Круто! +50 к карме!',
  'Огонь! +50 к карме!',
  'От души! +50 к карме!',
] as const;

/** Longest user_id accepted in prepare_to_mark (ids are 24 hex characters). */
const MAX_USER_ID = 64;

export interface MarkingAttachment extends Attachment {
  role: 'waiter' | 'marker';
  /** The last room change number this socket has been given (or did not need). */
  seen: number;
  /** Marker: the person it prepared, and the change number of that hold. */
  holding: { userId: string; seq: number } | null;
}

const okFrame = (message: string, params?: Record<string, unknown>) =>
  pyJson(params === undefined ? { result: 'ok', message } : { result: 'ok', message, params });
const errorFrame = (message: string) => pyJson({ result: 'error', message });

/** What the markers see of a change (the `text` watchers get), by entry kind. */
function markersView(e: MarkingEntry): { type: string; payload: Record<string, unknown> } {
  const kind: Record<MarkingEntryKind, string> = {
    joined: 'user_joined',
    released: 'user_joined',
    held: 'user_left',
    left: 'user_left',
    marked: 'was_marked',
  };
  return { type: kind[e.kind], payload: { user_id: e.kind === 'marked' ? e.byId : e.userId } };
}

const KINDS = new Set<string>(['joined', 'left', 'held', 'released', 'marked']);

function entryOf(m: RoomMessage): MarkingEntry | null {
  const nullableString = (v: unknown) => v === null || typeof v === 'string';
  if (typeof m.seq !== 'number' || !Number.isSafeInteger(m.seq) || typeof m.kind !== 'string' || !KINDS.has(m.kind)) return null;
  if (typeof m.userId !== 'string' || !nullableString(m.socketId) || !nullableString(m.byId)) return null;
  return { seq: m.seq, kind: m.kind as MarkingEntryKind, userId: m.userId, socketId: m.socketId as string | null, byId: m.byId as string | null };
}

/** A readable client frame: a JSON object; its `message` if a string. */
function readCommand(data: string | ArrayBuffer): { message: string | null; params: unknown } | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  return { message: typeof o.message === 'string' ? o.message : null, params: o.params };
}

/** prepare_to_mark's `user_id`: a string id (or a number, as the original's ints), else null. */
function userIdParam(params: unknown): string | null {
  if (typeof params !== 'object' || params === null) return null;
  const raw = (params as Record<string, unknown>).user_id;
  if (typeof raw === 'string' && raw !== '' && raw.length <= MAX_USER_ID) return raw;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  return null;
}

type Socket = RoomSocket<MarkingAttachment>;

class MarkingRoomActor extends SerialActor<MarkingAttachment> {
  /** The alarm is set (after hibernation this starts false: the next connect sets it again). */
  private ticking = false;

  constructor(
    ctx: RoomContext<MarkingAttachment>,
    private readonly marking: MarkingService,
  ) {
    super(ctx);
  }

  private joinedSockets(): Socket[] {
    return this.ctx.sockets().filter((s) => s.attachment().joined);
  }

  /** The changes, on the bus to every node (this one included), in order. */
  private publish(entries: MarkingEntry[]): void {
    for (const e of entries) {
      const frame = markersView(e);
      void this.ctx.publish({ room: this.ctx.room, ...e, frame, text: okFrame(frame.type, frame.payload) });
    }
  }

  private tickEveryMs(): number {
    return Math.max(200, Math.floor(this.marking.leaseMs() / 3));
  }

  /** Leases are renewed, expired rows swept and missed changes read back, every third of a lease. */
  private startTicking(): void {
    if (this.ticking) return;
    this.ticking = true;
    this.ctx.setAlarm(this.tickEveryMs());
  }

  private stopTicking(): void {
    if (this.joinedSockets().length > 0) return;
    this.ticking = false;
    this.ctx.setAlarm(null);
  }

  protected override async onAlarm(): Promise<void> {
    if (this.joinedSockets().length === 0) return this.stopTicking();
    this.ticking = true;
    try {
      await this.tick();
    } finally {
      if (this.joinedSockets().length > 0) this.ctx.setAlarm(this.tickEveryMs());
      else this.stopTicking();
    }
  }

  private async tick(): Promise<void> {
    const sockets = this.joinedSockets();
    const ids = (role: MarkingAttachment['role']) => sockets.filter((s) => s.attachment().role === role).map((s) => s.id);
    const { entries, lost } = await this.marking.tick(this.ctx.id, ids('waiter'), ids('marker'));
    this.publish(entries);
    // What the bus did not bring (Redis away, a publisher that died): read back from the log.
    const head = await this.marking.head(this.ctx.id);
    if (lost.length > 0 || sockets.some((s) => s.attachment().seen < head)) await this.apply(null);
    // Still open, but its row is gone and not because it was marked (it would be closed now):
    // this node was cut off for longer than a lease and its row was swept. Back on the list.
    for (const s of this.joinedSockets().filter((x) => lost.includes(x.id))) {
      const again = await this.marking.join(this.ctx.id, s.attachment().userId, s.id);
      this.publish(again.entries);
      if (again.result !== 'joined') this.refuse(s, again.result === 'asked' ? NOT_ALLOWED : UNKNOWN_EVENT);
    }
  }

  private refuse(socket: Socket, message: string): void {
    socket.send(errorFrame(message));
    socket.close(CloseCode.NORMAL);
  }

  /**
   * Markers only while the event runs (its end read again: it may have passed since the socket
   * came): past it, the socket gets what a connect would, and is closed.
   */
  private async ended(socket: Socket): Promise<boolean> {
    const event = await this.ctx.services.social.events.get(this.ctx.id).catch(() => null);
    if (!event) this.refuse(socket, UNKNOWN_EVENT);
    else if (event.timeTo * 1000 < this.ctx.services.deps.now()) this.refuse(socket, EVENT_OVER);
    else return false;
    return true;
  }

  protected async onConnect(socket: Socket): Promise<void> {
    try {
      await this.admitSocket(socket);
    } catch (err) {
      // The room could not take the socket (the database failed, the event was deleted meanwhile).
      socket.close(CloseCode.INTERNAL);
      throw err;
    }
  }

  private async admitSocket(socket: Socket): Promise<void> {
    const a = socket.attachment();
    if (a.role === 'waiter') {
      const { result, entries } = await this.marking.join(this.ctx.id, a.userId, socket.id);
      this.publish(entries);
      // Another mark_me socket of this person got in first (any node), or they were marked since;
      // or the event was deleted since the handshake.
      if (result !== 'joined') return this.refuse(socket, result === 'asked' ? NOT_ALLOWED : UNKNOWN_EVENT);
      socket.attach({ ...a, joined: true, seen: entries[entries.length - 1]!.seq });
    } else {
      this.publish(await this.marking.sweep(this.ctx.id));
      const { list, seq } = await this.marking.snapshot(this.ctx.id);
      socket.attach({ ...a, joined: true, seen: seq, holding: null });
      socket.send(okFrame('marking_list', { marking_list: list }));
    }
    this.startTicking();
  }

  protected async onMessage(socket: Socket, data: string | ArrayBuffer): Promise<void> {
    const a = socket.attachment();
    if (!a.joined) return;
    const command = readCommand(data);
    // A waiting socket has nothing to say; a marker has three commands.
    if (!command || a.role !== 'marker') return socket.send(errorFrame(NO_MESSAGE));
    switch (command.message) {
      case 'prepare_to_mark':
        return this.prepare(socket, a, command.params);
      case 'confirm_marking':
        return this.confirm(socket, a);
      case 'refuse_to_mark':
        return this.refuseToMark(socket, a);
      default:
        return socket.send(errorFrame(NO_MESSAGE));
    }
  }

  private async prepare(socket: Socket, a: MarkingAttachment, params: unknown): Promise<void> {
    if (await this.ended(socket)) return;
    const target = userIdParam(params);
    if (target === null) return socket.send(errorFrame(USER_ID_MISSING));
    if (a.holding) return socket.send(errorFrame(ALREADY_CHOSE));
    if (target === a.userId) return socket.send(errorFrame(NOT_ALLOWED));
    const { result, entries } = await this.marking.hold(this.ctx.id, target, a.userId, socket.id);
    if (!result) return socket.send(errorFrame(BEING_MARKED));
    socket.attach({ ...socket.attachment(), holding: { userId: target, seq: entries[0]!.seq } });
    socket.send(okFrame('prepared'));
    this.publish(entries);
  }

  private async confirm(socket: Socket, a: MarkingAttachment): Promise<void> {
    if (await this.ended(socket)) return;
    if (!a.holding) return socket.send(errorFrame(NOT_ALLOWED));
    const { result, entries } = await this.marking.mark(this.ctx.id, a.holding.userId, a.userId, socket.id);
    socket.attach({ ...socket.attachment(), holding: null });
    if (!result) socket.send(errorFrame(NOT_ALLOWED));
    else socket.send(okFrame('marked', { display_msg: DISPLAY_MESSAGES[Math.floor(Math.random() * DISPLAY_MESSAGES.length)] }));
    this.publish(entries);
  }

  private async refuseToMark(socket: Socket, a: MarkingAttachment): Promise<void> {
    if (!a.holding) return socket.send(errorFrame(NOT_ALLOWED));
    const { entries } = await this.marking.release(this.ctx.id, socket.id);
    socket.attach({ ...socket.attachment(), holding: null });
    socket.send(okFrame('refused'));
    this.publish(entries);
  }

  protected async onClose(socket: Socket): Promise<void> {
    const a = socket.attachment();
    if (a.joined) {
      socket.attach({ ...a, joined: false });
      // A waiting person leaves the list; a marker's held person goes back on it.
      const { entries } = a.role === 'waiter' ? await this.marking.leave(this.ctx.id, socket.id) : await this.marking.release(this.ctx.id, socket.id);
      this.publish(entries);
    }
    this.stopTicking();
  }

  /** A change from any node: handed to this node's sockets in change-number order. */
  override deliver(message: RoomMessage): void {
    const entry = entryOf(message);
    if (entry) void this.serial(() => this.apply(entry));
  }

  /**
   * Gives every socket the changes after the last one it got, in order: `entry` alone when no
   * socket misses one before it, else everything since the furthest-behind socket, from the log.
   */
  private async apply(entry: MarkingEntry | null): Promise<void> {
    const sockets = this.joinedSockets();
    if (sockets.length === 0) return;
    let entries = entry ? [entry] : [];
    if (!entry || sockets.some((s) => s.attachment().seen < entry.seq - 1)) {
      entries = await this.marking.since(this.ctx.id, Math.min(...sockets.map((s) => s.attachment().seen)));
      if (entry && !entries.some((e) => e.seq === entry.seq)) entries.push(entry);
    }
    for (const e of entries) for (const s of sockets) this.give(s, e);
  }

  private give(socket: Socket, e: MarkingEntry): void {
    const a = socket.attachment();
    if (!a.joined || e.seq <= a.seen) return;
    const next: MarkingAttachment = { ...a, seen: e.seq };
    const user = { user_id: e.userId };
    let frame: string | null = null;
    let close = false;
    if (a.role === 'marker') {
      const mine = e.socketId === socket.id;
      if (e.kind === 'joined' || (e.kind === 'released' && !mine)) frame = okFrame('user_joined', user);
      else if (e.kind === 'held' && !mine) frame = okFrame('user_left', user);
      // Left while on the list: every marker; left while held: only its holder (the others
      // were told at the hold).
      else if (e.kind === 'left' && (e.socketId === null || mine)) frame = okFrame('user_left', user);
      // The person this socket holds is gone, marked or released by someone else (a sweep).
      if (a.holding && a.holding.userId === e.userId && e.seq > a.holding.seq && e.kind !== 'held') next.holding = null;
    } else if (e.kind === 'marked' && e.userId === a.userId) {
      frame = okFrame('was_marked', { user_id: e.byId });
      close = true;
      next.joined = false; // done: its row went with the marking
    }
    socket.attach(next);
    if (frame) socket.send(frame);
    if (close) socket.close(CloseCode.NORMAL);
  }
}

const reject = (message: string): Admission<MarkingAttachment> => ({ reject: { frames: [errorFrame(message)], code: CloseCode.NORMAL } });

/** The marking room kind: both socket paths, one room per event. */
export function markingRoomKind(services: Pick<Services, 'social' | 'marking'>): RoomKind<MarkingAttachment> {
  const { social, marking } = services;
  return {
    name: 'marking',
    paths: ['/ws/mark_me', '/ws/marking'],
    canonicalId: eventUuid,
    async admit(req: Request, env: RoomEnv): Promise<Admission<MarkingAttachment>> {
      const url = new URL(req.url);
      const role = url.pathname.endsWith('/mark_me') ? 'waiter' : 'marker';
      const raw = lastParam(url, 'event_id');
      // 1-5: the original's checks, in its order.
      if (!raw) return reject(NO_EVENT);
      const event = await social.events.get(raw).catch(() => null);
      if (!event) return reject(UNKNOWN_EVENT);
      const user = await socketUser(env.services, req, url);
      if (user) {
        const { waiting, marked } = await marking.status(event.id, user.id);
        // Waiting already (a second mark_me, or marking while waiting); marked once is enough.
        if (waiting || (role === 'waiter' && marked)) return reject(NOT_ALLOWED);
      }
      const now = env.services.deps.now();
      if (event.timeTo * 1000 < now) return reject(EVENT_OVER);
      if (role === 'marker' && event.timeFrom * 1000 > now) return reject(NOT_RUNNING);
      // 6-7: the original checked neither.
      if (!user) return reject(NOT_SIGNED_IN);
      if (!(await social.events.isParticipant(event.id, user.id))) return reject(NOT_PARTICIPANT);
      return {
        room: `marking:${event.id}`,
        attachment: { userId: user.id, joined: false, role, seen: 0, holding: null },
      };
    },
    create: (ctx) => new MarkingRoomActor(ctx, marking),
    mayWatch: (_env, user, id) => marking.mayWatch(user, id),
  };
}
