import type { Bus } from '../src/bus/bus.js';
import { ROOM_TOPIC } from '../src/bus/room-frames.js';
import type { Logger } from '../src/observe/logger.js';
import type { RoomMessage } from '../src/rooms/actor.js';
import type { DurableObjectNamespaceLike, HibernatableSocket } from './durable.js';
import { DELIVER_URL, WATCH_URL } from './room-protocol.js';

/**
 * An isolate's bus, with room messages (a service's TRAINING_STARTED, a verdict, ...) also sent
 * to the room's object: it owns every socket of the room, whichever isolate published. A room's
 * watcher reads them from the object, over a socket of the request that watches.
 */
export function roomBus(inner: Bus, rooms: DurableObjectNamespaceLike, log: Logger): Bus {
  const object = (room: string) => rooms.get(rooms.idFromName(room));
  return {
    ...inner,
    watchRoom(room, handler) {
      let socket: HibernatableSocket | null = null;
      let ended = false;
      object(room)
        .fetch(WATCH_URL, { headers: { upgrade: 'websocket' } })
        .then((res) => {
          const ws = (res as Response & { webSocket?: HibernatableSocket | null }).webSocket;
          if (!ws) throw new Error(`room object answered ${res.status}`);
          ws.accept();
          if (ended) return ws.close(1000);
          socket = ws;
          ws.addEventListener('message', (e) => handler(JSON.parse(String(e.data))));
        })
        .catch((err: unknown) => log.warn({ err, room }, 'room not watched'));
      return () => {
        ended = true;
        socket?.close(1000);
      };
    },
    async publish(topic, message) {
      await inner.publish(topic, message);
      const room = (message as RoomMessage | null)?.room;
      if (topic !== ROOM_TOPIC || typeof room !== 'string') return;
      try {
        const res = await object(room).fetch(DELIVER_URL, { method: 'POST', body: JSON.stringify(message) });
        await res.body?.cancel();
      } catch (err) {
        log.warn({ err, room }, 'room message not delivered');
      }
    },
  };
}
