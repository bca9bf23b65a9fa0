// The in-process host of room actors (Node; any runtime with hono/ws upgrades): one actor per
// room key with sockets on this node, created at the room's first socket and dropped after its
// last one closed. Room messages travel on the bus (ROOM_TOPIC): in-process on one node, Redis
// pub/sub across nodes, where every node, the sender's included, delivers what comes back, so
// every socket of a room sees one order. The connection limit is counted by a RoomSlots port
// (in-process, or Redis across nodes).

import { Hono, type Context } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import { randomBytes, toHex } from '../identity/encoding.js';
import type { Services } from '../services/index.js';
import {
  ROOM_TOPIC,
  type Admission,
  type Attachment,
  type RoomActor,
  type RoomContext,
  type RoomEnv,
  type RoomKind,
  type RoomMessage,
  type RoomSocket,
} from './actor.js';
import type { RoomSlots } from './slots.js';

/** RFC 6455 "message too big": what `ws` closes with for a frame over the host's maxPayload. */
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_GOING_AWAY = 1001;
/** The most a socket's attachment may hold (a Durable Object's serializeAttachment limit). */
export const MAX_ATTACHMENT = 16 * 1024;
/** A socket that lets more than this pile up unread is dropped (1013), not buffered without end. */
export const MAX_BUFFERED = 16 * 1024 * 1024;
export const CLOSE_TRY_AGAIN = 1013;

export interface RoomHostOptions {
  services: Services;
  kinds: readonly RoomKind[];
  slots: RoomSlots;
  log?: (line: string) => void;
}

export interface RoomHost {
  /** GET on every kind's socket paths: the handshake, then the upgrade. */
  routes(upgradeWebSocket: UpgradeWebSocket | undefined): Hono;
  /** Rooms and sockets open on this node. */
  stats(): { rooms: number; sockets: number };
  /** Shutdown: every socket's close handled (slots released, leaves announced), then closed 1001. */
  closeAll(): Promise<void>;
}

class HostSocket implements RoomSocket {
  readonly id = toHex(randomBytes(16));
  open = true;
  private data: Attachment;

  constructor(
    readonly ws: WSContext,
    attachment: Attachment,
    /** Called when the host gives up on the socket itself (too slow): its close is handled now. */
    private readonly dropped: (socket: HostSocket, code: number) => void,
  ) {
    this.data = attachment;
  }

  send(text: string): void {
    if (!this.open || this.ws.readyState !== 1) return;
    // The host's socket (ws on Node) says how much is queued for a client that does not read.
    const queued = (this.ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;
    if (queued > MAX_BUFFERED) {
      // Left now (leave announced, slot freed); the closing handshake waits behind what is queued.
      this.close(CLOSE_TRY_AGAIN, 'Too slow: frames are piling up');
      this.dropped(this, CLOSE_TRY_AGAIN);
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
    if (JSON.stringify(attachment).length > MAX_ATTACHMENT) throw new Error('socket attachment over 16 KiB');
    this.data = attachment;
  }
}

interface LocalRoom {
  key: string;
  actor: RoomActor;
  sockets: Set<HostSocket>;
}

export function roomHost(options: RoomHostOptions): RoomHost {
  const { services, slots } = options;
  const log = options.log ?? ((line: string) => console.warn(`[rooms] ${line}`));
  const env: RoomEnv = { services, config: services.deps.config };
  const rooms = new Map<string, LocalRoom>();
  let closing = false;

  const offBus = services.deps.bus.subscribe(ROOM_TOPIC, (m) => {
    const message = m as RoomMessage;
    if (typeof message?.room !== 'string') return;
    rooms.get(message.room)?.actor.deliver(message);
  });

  function roomFor(kind: RoomKind, key: string): LocalRoom {
    let room = rooms.get(key);
    if (room) return room;
    const sockets = new Set<HostSocket>();
    const id = key.slice(kind.name.length + 1);
    const ctx: RoomContext = {
      room: key,
      kind: kind.name,
      id,
      services,
      config: env.config,
      sockets: () => [...sockets],
      publish: (message) => services.deps.bus.publish(ROOM_TOPIC, message),
      claimSlot: (s, limit) => slots.claim(key, s.id, limit),
      releaseSlot: (s) => slots.release(key, s.id),
      log,
    };
    room = { key, actor: kind.create(ctx), sockets };
    rooms.set(key, room);
    return room;
  }

  function opened(kind: RoomKind, admitted: { room: string; attachment: Attachment }, ws: WSContext): HostSocket {
    const socket = new HostSocket(ws, admitted.attachment, (s, code) => void closed(admitted.room, s, code));
    const room = roomFor(kind, admitted.room);
    room.sockets.add(socket);
    void room.actor.connect(socket);
    return socket;
  }

  async function closed(key: string, socket: HostSocket, code: number): Promise<void> {
    if (!socket.open) return;
    socket.open = false;
    const room = rooms.get(key);
    if (!room || !room.sockets.delete(socket)) return;
    await room.actor.close(socket, code);
    if (room.sockets.size === 0 && rooms.get(key) === room) rooms.delete(key);
  }

  function handler(kind: RoomKind, upgradeWebSocket: UpgradeWebSocket | undefined) {
    return async (c: Context) => {
      // FastAPI answered a plain GET on a socket route with its 404.
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return c.json({ detail: 'Not Found' }, 404);
      if (!upgradeWebSocket) return c.text('WebSockets are not served by this host', 501);
      if (closing) return new Response(null, { status: 503 });
      const admission: Admission = await kind.admit(c.req.raw, env);
      if ('refuse' in admission) return admission.refuse;
      if ('reject' in admission) {
        const { frames, code, reason } = admission.reject;
        return upgradeWebSocket(c, {
          onOpen: (_e, ws) => {
            for (const f of frames) ws.send(f);
            ws.close(code, reason);
          },
        });
      }
      let socket: HostSocket | null = null;
      let tooBig = false;
      return upgradeWebSocket(c, {
        onOpen: (_e, ws) => {
          if (closing) return ws.close(CLOSE_GOING_AWAY, 'server shutting down');
          socket = opened(kind, admission, ws);
        },
        onMessage: (e) => {
          if (!socket?.open) return;
          void rooms.get(admission.room)?.actor.message(socket, typeof e.data === 'string' ? e.data : (e.data as ArrayBuffer));
        },
        // A frame over the host's limit: ws closes with 1009 but stops reading, so its close
        // event says 1006; its error names the cause.
        onError: (e) => {
          if ((e as ErrorEvent).error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') tooBig = true;
        },
        onClose: (e) => {
          if (socket) void closed(admission.room, socket, tooBig ? CLOSE_TOO_BIG : e.code);
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
    stats() {
      let sockets = 0;
      for (const r of rooms.values()) sockets += r.sockets.size;
      return { rooms: rooms.size, sockets };
    },
    async closeAll() {
      closing = true;
      const all = [...rooms.values()].flatMap((r) => [...r.sockets].map((s) => ({ key: r.key, s })));
      await Promise.all(
        all.map(async ({ key, s }) => {
          await closed(key, s, CLOSE_GOING_AWAY);
          s.close(CLOSE_GOING_AWAY, 'server shutting down');
        }),
      );
      offBus();
      await slots.close();
    },
  };
}
