// The in-process host of room actors (Node; any runtime with hono/ws upgrades): one actor per
// room key with sockets on this node, created at the room's first socket and dropped after its
// last one closed. Room messages travel on the bus (ROOM_TOPIC): in-process on one node, Redis
// pub/sub across nodes, where every node, the sender's included, delivers what comes back, so
// every socket of a room sees one order. The connection limit is counted by a RoomSlots port
// (in-process, or Redis across nodes). What only one runtime's sockets do (how much they have
// queued, what their error events mean) comes in as SocketQuirks from that runtime's folder.

import { type Context, Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import { ROOM_TOPIC } from '../bus/room-frames.js';
import type { Services } from '../services/index.js';
import {
  type Admission,
  type Attachment,
  checkAttachmentSize,
  newSocketId,
  type RoomActor,
  type RoomContext,
  type RoomEnv,
  type RoomKind,
  type RoomMessage,
  type RoomSocket,
} from './actor.js';
import { CloseCode } from './close-codes.js';
import { admitSocket, notUpgrade } from './handshake.js';
import type { RoomSlots } from './slots.js';

/** A socket that lets more than this pile up unread is dropped (1013), not buffered without end. */
const MAX_BUFFERED = 16 * 1024 * 1024;
/** A slot taken at the handshake is freed if the upgrade has not opened a socket by then. */
const OPEN_WAIT_MS = 10_000;

/** What the runtime's WebSocket implementation says beyond the Web shape. */
export interface SocketQuirks {
  /** Bytes queued for the client and not yet sent (0 when the runtime cannot tell). */
  bufferedBytes(ws: WSContext): number;
  /** The close code an error event stands for (a frame over the size limit: 1009), or null. */
  closeCodeOf(error: Event): number | null;
}

const noQuirks: SocketQuirks = { bufferedBytes: () => 0, closeCodeOf: () => null };

export interface RoomHostOptions {
  services: Services;
  kinds: readonly RoomKind[];
  slots: RoomSlots;
  quirks?: SocketQuirks;
}

export interface RoomHost {
  /** GET on every kind's socket paths: the handshake, then the upgrade. */
  routes(upgradeWebSocket: UpgradeWebSocket | undefined): Hono;
  /** Rooms and sockets open on this node (of one kind, or all). */
  stats(kind?: string): { rooms: number; sockets: number };
  /** Shutdown: every socket's close handled (slots released, leaves announced), then closed 1001. */
  closeAll(): Promise<void>;
}

class HostSocket implements RoomSocket {
  open = true;
  private data: Attachment;

  constructor(
    readonly id: string,
    /** It holds a slot the host took at the handshake (the host frees it after the close). */
    readonly heldSlot: boolean,
    readonly ws: WSContext,
    attachment: Attachment,
    private readonly quirks: SocketQuirks,
    /** Called when the host gives up on the socket itself (too slow): its close is handled now. */
    private readonly dropped: (socket: HostSocket, code: number) => void,
  ) {
    this.data = attachment;
  }

  send(text: string): void {
    if (!this.open || this.ws.readyState !== 1) return;
    if (this.quirks.bufferedBytes(this.ws) > MAX_BUFFERED) {
      // Left now (leave announced, slot freed); the closing handshake waits behind what is queued.
      this.close(CloseCode.TRY_AGAIN, 'Too slow: frames are piling up');
      this.dropped(this, CloseCode.TRY_AGAIN);
      return;
    }
    this.ws.send(text);
  }
  close(code: number, reason?: string): void {
    if (this.ws.readyState === 0 || this.ws.readyState === 1) this.ws.close(code, reason);
  }
  attachment(): Attachment {
    return this.data;
  }
  attach(attachment: Attachment): void {
    checkAttachmentSize(attachment);
    this.data = attachment;
  }
}

interface LocalRoom {
  key: string;
  kind: string;
  actor: RoomActor;
  sockets: Set<HostSocket>;
  alarm: ReturnType<typeof setTimeout> | null;
}

type Admitted = Extract<Admission, { room: string }>;

export function roomHost(options: RoomHostOptions): RoomHost {
  const { services, slots } = options;
  const quirks = options.quirks ?? noQuirks;
  const log = services.deps.log.child({ part: 'rooms' });
  const env: RoomEnv = { services, config: services.deps.config };
  const rooms = new Map<string, LocalRoom>();
  let closing = false;

  const offBus = services.deps.bus.subscribe(ROOM_TOPIC, (m) => {
    const message = m as RoomMessage;
    if (typeof message?.room !== 'string') return;
    rooms.get(message.room)?.actor.deliver(message);
  });

  function setAlarm(room: LocalRoom, delayMs: number | null): void {
    if (room.alarm) clearTimeout(room.alarm);
    room.alarm = null;
    if (delayMs === null) return;
    room.alarm = setTimeout(
      () => {
        room.alarm = null;
        void room.actor.alarm();
      },
      Math.max(0, delayMs),
    );
    // An alarm alone does not keep a Node process up (sockets and the server do).
    (room.alarm as { unref?: () => void }).unref?.();
  }

  function roomFor(kind: RoomKind, key: string): LocalRoom {
    const existing = rooms.get(key);
    if (existing) return existing;
    const sockets = new Set<HostSocket>();
    // Methods, not arrow properties, here and in a socket's events: tsx (esbuild keepNames) names
    // each arrow property with defineProperty, which gives that closure a ~256-byte property
    // dictionary, per room and per socket.
    const ctx: RoomContext = {
      room: key,
      kind: kind.name,
      id: key.slice(kind.name.length + 1),
      services,
      config: env.config,
      sockets() {
        return [...sockets];
      },
      publish(message) {
        return services.deps.bus.publish(ROOM_TOPIC, message);
      },
      claimSlot(s, limit) {
        return slots.claim(key, s.id, limit);
      },
      releaseSlot(s) {
        return slots.release(key, s.id);
      },
      setAlarm(delayMs) {
        setAlarm(room, delayMs);
      },
      log(line) {
        log.warn({ room: key }, line);
      },
    };
    const room: LocalRoom = { key, kind: kind.name, actor: kind.create(ctx), sockets, alarm: null };
    rooms.set(key, room);
    return room;
  }

  function opened(kind: RoomKind, id: string, admitted: Admitted, ws: WSContext): HostSocket {
    const heldSlot = admitted.slot !== undefined;
    const socket = new HostSocket(id, heldSlot, ws, admitted.attachment, quirks, (s, code) => void closed(admitted.room, s, code));
    const room = roomFor(kind, admitted.room);
    room.sockets.add(socket);
    log.info({ kind: kind.name, room: admitted.room, socket: id }, 'socket opened');
    void room.actor.connect(socket);
    return socket;
  }

  async function closed(key: string, socket: HostSocket, code: number): Promise<void> {
    if (!socket.open) return;
    socket.open = false;
    const room = rooms.get(key);
    if (!room?.sockets.delete(socket)) return;
    log.info({ kind: room.kind, room: key, socket: socket.id, code }, 'socket closed');
    await room.actor.close(socket, code);
    // A slot taken at the handshake is freed once the actor is done with the socket.
    if (socket.heldSlot) await slots.release(key, socket.id);
    if (room.sockets.size === 0 && rooms.get(key) === room) {
      setAlarm(room, null);
      rooms.delete(key);
    }
  }

  function handler(kind: RoomKind, upgradeWebSocket: UpgradeWebSocket | undefined) {
    return async (c: Context) => {
      const plain = notUpgrade(kind, c.req.raw);
      if (plain) return plain;
      if (!upgradeWebSocket) return c.text('WebSockets are not served by this host', 501);
      if (closing) return new Response(null, { status: 503 });
      const admission = await admitSocket(kind, c.req.raw, env);
      if (admission instanceof Response) return admission;
      if ('reject' in admission) {
        const { frames, code, reason } = admission.reject;
        return upgradeWebSocket(c, {
          onOpen(_e, ws) {
            for (const f of frames) ws.send(f);
            ws.close(code, reason);
          },
        });
      }
      const id = newSocketId();
      let unopened: ReturnType<typeof setTimeout> | null = null;
      if (admission.slot) {
        if (!(await slots.claim(admission.room, id, admission.slot.limit))) return admission.slot.full();
        // An upgrade that never opens (the client went away mid-handshake) must not keep the slot.
        unopened = setTimeout(() => void slots.release(admission.room, id), OPEN_WAIT_MS);
      }
      let socket: HostSocket | null = null;
      let errorCode: number | null = null;
      return upgradeWebSocket(c, {
        onOpen(_e, ws) {
          if (unopened) clearTimeout(unopened);
          if (closing) {
            if (admission.slot) void slots.release(admission.room, id);
            return ws.close(CloseCode.GOING_AWAY, 'server shutting down');
          }
          socket = opened(kind, id, admission, ws);
        },
        onMessage(e) {
          if (!socket?.open) return;
          void rooms.get(admission.room)?.actor.message(socket, typeof e.data === 'string' ? e.data : (e.data as ArrayBuffer));
        },
        // A runtime may close for its own reasons (a frame over its size limit) with a close event
        // that does not say so; its error event does.
        onError(e) {
          errorCode ??= quirks.closeCodeOf(e);
        },
        onClose(e) {
          if (socket) void closed(admission.room, socket, errorCode ?? e.code);
        },
      });
    };
  }

  return {
    routes(upgradeWebSocket) {
      const app = new Hono();
      for (const kind of options.kinds) for (const path of kind.paths) app.get(path, handler(kind, upgradeWebSocket));
      return app;
    },
    stats(kind) {
      let count = 0;
      let sockets = 0;
      for (const r of rooms.values()) {
        if (kind !== undefined && r.kind !== kind) continue;
        count++;
        sockets += r.sockets.size;
      }
      return { rooms: count, sockets };
    },
    async closeAll() {
      closing = true;
      const all = [...rooms.values()].flatMap((r) => [...r.sockets].map((s) => ({ key: r.key, s })));
      await Promise.all(
        all.map(async ({ key, s }) => {
          await closed(key, s, CloseCode.GOING_AWAY);
          s.close(CloseCode.GOING_AWAY, 'server shutting down');
        }),
      );
      offBus();
      await slots.close();
    },
  };
}
