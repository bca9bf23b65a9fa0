import { Hono } from 'hono';
import type { RoomEnv, RoomKind } from '../src/rooms/actor.js';
import { admitSocket, notUpgrade } from '../src/rooms/handshake.js';
import type { RoomHost } from '../src/rooms/host.js';
import { type DurableObjectNamespaceLike, socketPair, upgraded } from './durable.js';
import { CONNECT_URL, type HandedAdmission, ROOM_FULL, admissionHeader } from './room-protocol.js';

/**
 * The socket paths of every kind at the edge: the Worker runs the handshake (the same checks as
 * on Node), then hands the upgrade to the room's object (`idFromName(kind:id)`), which accepts it.
 */
export function durableRooms(rooms: DurableObjectNamespaceLike, kinds: readonly RoomKind[], env: RoomEnv): Pick<RoomHost, 'routes'> {
  async function handshake(kind: RoomKind, req: Request): Promise<Response> {
    const plain = notUpgrade(kind, req);
    if (plain) return plain;
    const admission = await admitSocket(kind, req, env);
    if (admission instanceof Response) return admission;
    if ('reject' in admission) {
      // No room: accepted here, told why, closed.
      const { client, server } = socketPair();
      server.accept();
      for (const f of admission.reject.frames) server.send(f);
      server.close(admission.reject.code, admission.reject.reason);
      return upgraded(client);
    }
    const handed: HandedAdmission = { room: admission.room, attachment: admission.attachment, slot: admission.slot?.limit ?? null };
    const res = await rooms
      .get(rooms.idFromName(admission.room))
      .fetch(CONNECT_URL, { headers: { upgrade: 'websocket', ...admissionHeader(handed) } });
    if (res.status === ROOM_FULL && admission.slot) return admission.slot.full();
    return res;
  }

  return {
    routes() {
      const app = new Hono();
      for (const kind of kinds) for (const path of kind.paths) app.get(path, (c) => handshake(kind, c.req.raw));
      return app;
    },
  };
}
