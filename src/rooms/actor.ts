// The room actor model, runtime-neutral (Web APIs only). One actor per room key
// (`lobby:<team_id>`, `training:<uuid>`, `marking:<event_id>`, ...): it owns the room's
// sockets and handles their connect / message / close one at a time, so order and limits hold
// without locks. Handlers are shaped like the Durable Object hibernation API (webSocketMessage,
// webSocketClose, getWebSockets, serialize/deserializeAttachment): an actor keeps nothing in
// memory that it cannot rebuild from its sockets and their attachments, so a Durable Object
// can wrap the same classes; on Node, src/rooms/host.ts runs them in-process. Timers are alarms
// (one per room, as a Durable Object has): a hibernated object wakes for them, an interval would
// keep it awake.

import type { RoomFrame } from '../bus/room-frames.js';
import type { Config } from '../config.js';
import type { Services } from '../services/index.js';
import type { User } from '../services/users.js';
import { randomBytes, toHex } from '../identity/encoding.js';

/**
 * One message to a room, on the bus (Redis across nodes): `text` is sent to sockets verbatim
 * (a client's frame, byte for byte), else `frame` is sent as JSON. Kinds may add fields (a
 * target, say) that their actor's `deliver` reads.
 */
export interface RoomMessage {
  room: string;
  text?: string;
  frame?: RoomFrame;
  [field: string]: unknown;
}

/** What a socket carries between events: small, JSON-serialisable (a Durable Object keeps <= 16 KiB). */
export interface Attachment {
  /** Who connected (the `user_id` the socket gave, checked against its session unless trusted). */
  userId: string;
  /** Past the limit check and announced: frames reach it and its close is announced. */
  joined: boolean;
  [field: string]: unknown;
}

/** The most a socket's attachment may hold (a Durable Object's serializeAttachment limit), on every host. */
const MAX_ATTACHMENT = 16 * 1024;

/** Refuses what a socket could not carry through hibernation. */
export function checkAttachmentSize(value: unknown): void {
  if (JSON.stringify(value).length > MAX_ATTACHMENT) throw new Error('socket attachment over 16 KiB');
}

/** A socket's id, unique across nodes and objects. */
export const newSocketId = (): string => toHex(randomBytes(16));

/** One accepted socket of a room, as the host hands it to the actor. */
export interface RoomSocket<A extends Attachment = Attachment> {
  /** Unique across nodes (a slot in the cluster-wide count is held under this id). */
  readonly id: string;
  send(text: string): void;
  close(code: number, reason?: string): void;
  attachment(): A;
  attach(attachment: A): void;
}

/** What an actor may use: its room, its sockets on this host, the bus, the slot count, its alarm. */
export interface RoomContext<A extends Attachment = Attachment> {
  /** `kind:id`. */
  readonly room: string;
  readonly kind: string;
  readonly id: string;
  readonly services: Services;
  readonly config: Config;
  /** The room's open sockets on this host (joined or not), in connection order. */
  sockets(): RoomSocket<A>[];
  /**
   * Sends to the room on every node. Every host gets it back through the actor's `deliver`, and
   * every node sees the room's messages in one order (the sender's own socket included). Calls
   * made in order are sent in order; awaiting is only needed to know it left (never throws).
   */
  publish(message: RoomMessage): Promise<void>;
  /** Takes one of `limit` connection slots of the room, counted across all nodes. */
  claimSlot(socket: RoomSocket<A>, limit: number): Promise<boolean>;
  releaseSlot(socket: RoomSocket<A>): Promise<void>;
  /** The room's one alarm: `alarm()` runs `delayMs` from now (replacing any set before); null clears it. */
  setAlarm(delayMs: number | null): void;
  log(line: string): void;
}

export interface RoomActor<A extends Attachment = Attachment> {
  /** A socket was accepted (its attachment is the kind's admission). */
  connect(socket: RoomSocket<A>): Promise<void>;
  /** A frame from a socket: text, or binary as an ArrayBuffer. */
  message(socket: RoomSocket<A>, data: string | ArrayBuffer): Promise<void>;
  /** The socket is gone (it is no longer among `sockets()`). */
  close(socket: RoomSocket<A>, code: number): Promise<void>;
  /** The room's alarm went off. */
  alarm(): Promise<void>;
  /** A message published to this room (by any node or service) reaching this host. */
  deliver(message: RoomMessage): void;
}

/** The text a socket receives for a room message. */
export function messageText(message: RoomMessage): string | null {
  if (typeof message.text === 'string') return message.text;
  if (message.frame && typeof message.frame.type === 'string') return JSON.stringify(message.frame);
  return null;
}

/**
 * Base class: connect/message/close run one at a time in arrival order (a frame is handled after
 * its socket's connect, a close after its frames), however long each takes. Nothing else is kept
 * in memory; a hibernated Durable Object wakes with an empty queue.
 */
export abstract class SerialActor<A extends Attachment = Attachment> implements RoomActor<A> {
  private queue: Promise<void> = Promise.resolve();

  constructor(protected readonly ctx: RoomContext<A>) {}

  protected serial(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step).catch((err: unknown) => {
      this.ctx.log(`room ${this.ctx.room}: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.queue = run;
    return run;
  }

  connect(socket: RoomSocket<A>): Promise<void> {
    return this.serial(() => this.onConnect(socket));
  }
  message(socket: RoomSocket<A>, data: string | ArrayBuffer): Promise<void> {
    return this.serial(() => this.onMessage(socket, data));
  }
  close(socket: RoomSocket<A>, code: number): Promise<void> {
    return this.serial(() => this.onClose(socket, code));
  }
  alarm(): Promise<void> {
    return this.serial(() => this.onAlarm());
  }

  /** Default delivery: the message's text to every joined socket of the room on this host. */
  deliver(message: RoomMessage): void {
    const text = messageText(message);
    if (text === null) return;
    for (const s of this.ctx.sockets()) if (s.attachment().joined) s.send(text);
  }

  protected abstract onConnect(socket: RoomSocket<A>): Promise<void>;
  protected abstract onMessage(socket: RoomSocket<A>, data: string | ArrayBuffer): Promise<void>;
  protected abstract onClose(socket: RoomSocket<A>, code: number): Promise<void>;
  /** Kinds that set an alarm handle it here. */
  protected async onAlarm(): Promise<void> {}
}

/** What a kind's handshake check may use. */
export interface RoomEnv {
  services: Services;
  config: Config;
}

/**
 * The handshake's outcome, decided before the upgrade:
 * - `room`: upgrade, and hand the socket with this attachment to the room's actor; with `slot`,
 *   the host first takes one of the room's `limit` slots (counted across nodes) for the socket,
 *   and answers `full()` instead of upgrading when none is left (the slot is the host's to free);
 * - `refuse`: answer the upgrade request with this HTTP response (nothing is accepted);
 * - `reject`: accept, send these frames, close with this code (no room: e.g. spec 003's
 *   "error frame, then close 1000" for a socket that names no event).
 */
export type Admission<A extends Attachment = Attachment> =
  | { room: string; attachment: A; slot?: { limit: number; full: () => Response } }
  | { refuse: Response }
  | { reject: { frames: string[]; code: number; reason?: string } };

/** A pluggable room kind: its socket path, its handshake, its actor, who may watch its events. */
export interface RoomKind<A extends Attachment = Attachment> {
  /** The key prefix: rooms are `${name}:${id}`. */
  readonly name: string;
  /** Socket paths served for this kind (e.g. `/ws/lobby`). */
  readonly paths: readonly string[];
  /** The answer to a plain GET (no upgrade) on those paths, as the original server gave it (default: FastAPI's 404). */
  notUpgrade?(req: Request): Response;
  admit(req: Request, env: RoomEnv): Promise<Admission<A>>;
  create(ctx: RoomContext<A>): RoomActor<A>;
  /** The canonical room id for a raw one (e.g. a UUID lowercased), or null when malformed. */
  canonicalId(raw: string): string | null;
  /** Whether this user may read the room's events (GraphQL / tRPC subscriptions). */
  mayWatch(env: RoomEnv, user: User, id: string): Promise<boolean>;
}

/** Splits `kind:id` at the first colon. */
export function splitRoom(room: string): { kind: string; id: string } | null {
  const i = room.indexOf(':');
  return i <= 0 ? null : { kind: room.slice(0, i), id: room.slice(i + 1) };
}
