import type { Bus } from '../src/bus/bus.js';
import { ROOM_TOPIC } from '../src/bus/room-frames.js';
import type { Logger } from '../src/observe/logger.js';
import type { RoomMessage } from '../src/rooms/actor.js';
import type { DurableObjectNamespaceLike } from './durable.js';
import { DELIVER_URL } from './room-protocol.js';

/**
 * An isolate's bus, with room messages (a service's TRAINING_STARTED, a verdict, ...) also sent
 * to the room's object: it owns every socket of the room, whichever isolate published.
 */
export function roomBus(inner: Bus, rooms: DurableObjectNamespaceLike, log: Logger): Bus {
  return {
    ...inner,
    async publish(topic, message) {
      await inner.publish(topic, message);
      const room = (message as RoomMessage | null)?.room;
      if (topic !== ROOM_TOPIC || typeof room !== 'string') return;
      try {
        const res = await rooms.get(rooms.idFromName(room)).fetch(DELIVER_URL, { method: 'POST', body: JSON.stringify(message) });
        await res.body?.cancel();
      } catch (err) {
        log.warn({ err, room }, 'room message not delivered');
      }
    },
  };
}
