// One Durable Object per room (`idFromName(kind:id)`): it owns the room's sockets through the
// hibernation API and runs the same actor as the Node host (src/rooms/). Nothing it needs is kept
// only in memory: each socket's id, slot and attachment ride in its serialized attachment, the
// actor's timer is the object's alarm, so an object evicted between events wakes with the room
// intact. All of a room's sockets are here, so its messages and slot count need no bus.

import {
  type Attachment,
  checkAttachmentSize,
  newSocketId,
  type RoomActor,
  type RoomContext,
  type RoomMessage,
  type RoomSocket,
} from '../src/rooms/actor.js';
import { CloseCode } from '../src/rooms/close-codes.js';
import { MAX_FRAME_BYTES, frameBytes } from '../src/rooms/frame-size.js';
import { parseRoom } from '../src/rooms/kinds.js';
import { type DurableObjectStateLike, type HibernatableSocket, socketPair, upgraded } from './durable.js';
import { type Env, gatewayFor } from './gateway.js';
import { DELIVER_URL, ROOM_FULL, readAdmission, SOCKET_TAG, WATCH_TAG, WATCH_URL } from './room-protocol.js';

/** Close codes a peer reports but may not send (no status, abnormal, TLS). */
const RESERVED_CODES = new Set([1005, 1006, 1015]);

/** What a socket carries through hibernation. */
interface Saved {
  id: string;
  room: string;
  /** It holds one of the room's slots (taken at the handshake or by the actor). */
  slot: boolean;
  a: Attachment;
}

/** What the actor did to a socket while its connect ran, before the socket was accepted. */
interface Held {
  frames: string[];
  close: { code: number; reason: string | undefined } | null;
}

class ObjectSocket implements RoomSocket {
  /** Its close not yet handled. */
  open = true;

  constructor(
    readonly ws: HibernatableSocket,
    public saved: Saved,
    /** Not accepted yet: frames and a close wait here. */
    public held: Held | null = null,
  ) {}

  get id(): string {
    return this.saved.id;
  }
  send(text: string): void {
    if (this.held) {
      if (!this.held.close) this.held.frames.push(text);
    } else if (this.open && this.ws.readyState === 1) this.ws.send(text);
  }
  close(code: number, reason?: string): void {
    if (this.held) this.held.close ??= { code, reason };
    else if (this.ws.readyState === 0 || this.ws.readyState === 1) this.ws.close(code, reason);
  }
  attachment(): Attachment {
    return this.saved.a;
  }
  attach(a: Attachment): void {
    this.save({ ...this.saved, a });
  }
  save(saved: Saved): void {
    checkAttachmentSize(saved);
    if (!this.held) this.ws.serializeAttachment(saved);
    this.saved = saved;
  }
}

export class RoomObject {
  private readonly wrapped = new WeakMap<WebSocket, ObjectSocket>();
  /** Sockets whose connect the actor is handling, before they are accepted. */
  private readonly connecting = new Set<ObjectSocket>();
  /** Sockets whose close the actor is still handling: their slots are not free yet. */
  private readonly closing = new Set<ObjectSocket>();
  private actor: RoomActor | null = null;

  constructor(
    private readonly state: DurableObjectStateLike,
    private readonly env: Env,
  ) {}

  private socket(ws: WebSocket): ObjectSocket {
    let s = this.wrapped.get(ws);
    if (!s) {
      s = new ObjectSocket(ws as HibernatableSocket, (ws as HibernatableSocket).deserializeAttachment() as Saved);
      this.wrapped.set(ws, s);
    }
    return s;
  }

  /** The room's open sockets, in connection order. */
  private sockets(): ObjectSocket[] {
    const accepted = this.state.getWebSockets(SOCKET_TAG).map((ws) => this.socket(ws));
    return [...accepted, ...this.connecting].filter((s) => s.open);
  }

  private slotsHeld(): number {
    return this.sockets().filter((s) => s.saved.slot).length + [...this.closing].filter((s) => s.saved.slot).length;
  }

  private actorFor(room: string): RoomActor {
    if (this.actor) return this.actor;
    const { services, kinds } = gatewayFor(this.env);
    const parsed = parseRoom(kinds, room);
    if (!parsed) throw new Error(`not a room: ${room}`);
    const log = services.deps.log.child({ part: 'rooms', room });
    const ctx: RoomContext = {
      room,
      kind: parsed.kind.name,
      id: parsed.id,
      services,
      config: services.deps.config,
      sockets: () => this.sockets(),
      // Every socket of the room is here: delivered on the next microtask, as a bus would.
      publish: async (message) => {
        await Promise.resolve();
        this.deliver(message);
      },
      claimSlot: async (s, limit) => {
        const socket = s as ObjectSocket;
        if (socket.saved.slot) return true;
        if (this.slotsHeld() >= limit) return false;
        socket.save({ ...socket.saved, slot: true });
        return true;
      },
      releaseSlot: async (s) => {
        const socket = s as ObjectSocket;
        if (socket.saved.slot) socket.save({ ...socket.saved, slot: false });
      },
      setAlarm: (delayMs) => {
        const set = delayMs === null ? this.state.storage.deleteAlarm() : this.state.storage.setAlarm(Date.now() + Math.max(0, delayMs));
        set.catch((err: unknown) => log.warn({ err }, 'alarm not set'));
      },
      log: (line) => log.warn({}, line),
    };
    this.actor = parsed.kind.create(ctx);
    // Once per object's life: a room object woken after hibernation says so again.
    log.info({}, 'room actor started');
    return this.actor;
  }

  /** A message to the room: to its actor, and to every watcher as it is. */
  private deliver(message: RoomMessage): void {
    if (this.sockets().length > 0) this.actorFor(message.room).deliver(message);
    const watchers = this.state.getWebSockets(WATCH_TAG);
    if (watchers.length === 0) return;
    const text = JSON.stringify(message);
    for (const w of watchers) if (w.readyState === 1) w.send(text);
  }

  async fetch(request: Request): Promise<Response> {
    if (request.url === DELIVER_URL) {
      this.deliver((await request.json()) as RoomMessage);
      return new Response(null, { status: 204 });
    }
    if (request.url === WATCH_URL) {
      const { client, server } = socketPair();
      this.state.acceptWebSocket(server, [WATCH_TAG]);
      return upgraded(client);
    }
    const handed = readAdmission(request);
    if (!handed) return new Response(null, { status: 400 });
    if (handed.slot !== null && this.slotsHeld() >= handed.slot) return new Response(null, { status: ROOM_FULL });
    const { client, server } = socketPair();
    const socket = new ObjectSocket(
      server,
      { id: newSocketId(), room: handed.room, slot: handed.slot !== null, a: handed.attachment },
      {
        frames: [],
        close: null,
      },
    );
    await this.connect(socket);
    return upgraded(client);
  }

  /**
   * The actor's connect runs before the socket is accepted: a socket it refuses (a full room, a
   * failed check) is closed as a plain socket, since workerd holds a hibernatable socket's
   * connection open for seconds after a close its client never wrote to; one it keeps is accepted
   * for hibernation, and gets what was sent to it meanwhile.
   */
  private async connect(socket: ObjectSocket): Promise<void> {
    this.connecting.add(socket);
    try {
      await this.actorFor(socket.saved.room).connect(socket);
    } finally {
      this.connecting.delete(socket);
    }
    const held = socket.held!;
    socket.held = null;
    const { ws } = socket;
    if (held.close) {
      ws.accept();
      for (const f of held.frames) ws.send(f);
      ws.close(held.close.code, held.close.reason);
      await this.closed(socket, held.close.code);
      return;
    }
    this.state.acceptWebSocket(ws, [SOCKET_TAG]);
    socket.save(socket.saved);
    this.wrapped.set(ws, socket);
    for (const f of held.frames) ws.send(f);
  }

  private watching(ws: WebSocket): boolean {
    return this.state.getTags(ws).includes(WATCH_TAG);
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (this.watching(ws)) return;
    const socket = this.socket(ws);
    if (!socket.open) return;
    // The limit Node's `ws` holds (maxPayload): closed 1009, handled as that close.
    if (frameBytes(data) > MAX_FRAME_BYTES) {
      socket.close(CloseCode.TOO_BIG, 'Frame too big');
      return this.closed(socket, CloseCode.TOO_BIG);
    }
    await this.actorFor(socket.saved.room).message(socket, data);
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // The close handshake answered here: workerd leaves the connection open until it is.
    if (ws.readyState !== 3) ws.close(RESERVED_CODES.has(code) ? CloseCode.NORMAL : code, reason);
    if (!this.watching(ws)) await this.closed(this.socket(ws), code);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    if (!this.watching(ws)) await this.closed(this.socket(ws), CloseCode.INTERNAL);
  }

  async alarm(): Promise<void> {
    const first = this.sockets()[0];
    if (first) await this.actorFor(first.saved.room).alarm();
  }

  private async closed(socket: ObjectSocket, code: number): Promise<void> {
    if (!socket.open) return;
    socket.open = false;
    this.closing.add(socket);
    try {
      await this.actorFor(socket.saved.room).close(socket, code);
    } finally {
      this.closing.delete(socket);
    }
  }
}
