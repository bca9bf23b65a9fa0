import { subscribedMessages } from '../bus/iterate.js';
import { ROOM_TOPIC } from '../bus/room-frames.js';
import { ServiceError, forbidden, invalid } from '../services/errors.js';
import type { Services } from '../services/index.js';
import type { User } from '../services/users.js';
import { messageText, type RoomMessage } from './actor.js';
import { parseRoom, roomKinds } from './kinds.js';

/** One room event as GraphQL and tRPC subscribers see it: the frame every socket got, verbatim. */
export interface RoomEvent {
  room: string;
  type: string;
  /** The frame's JSON text, exactly as the room's sockets received it. */
  frame: string;
}

function eventOf(room: string, message: RoomMessage): RoomEvent | null {
  const text = messageText(message);
  if (text === null) return null;
  let type = message.frame?.type;
  if (type === undefined) {
    try {
      type = String((JSON.parse(text) as { type?: unknown }).type);
    } catch {
      return null;
    }
  }
  return { room, type, frame: text };
}

/**
 * The events of a room (every frame its sockets get, from any node), from now until the signal
 * or the consumer ends it, for a user who may join the room. Fed by the same bus the sockets
 * are. The access check runs here, before the stream is handed out, so a refusal is the
 * caller's error (a GraphQL / tRPC error with its code), not a failed stream.
 */
export async function watchRoom(
  services: Services,
  actor: User | null,
  room: string,
  signal?: AbortSignal,
): Promise<AsyncIterableIterator<RoomEvent>> {
  if (!actor) throw new ServiceError('unauthenticated', 'Not logged in');
  const env = { services, config: services.deps.config };
  const parsed = parseRoom(roomKinds(services), room);
  if (!parsed) throw invalid(`Unknown room: ${room}`);
  if (!(await parsed.kind.mayWatch(env, actor, parsed.id))) throw forbidden('Not a member of this room');
  const { bus } = services.deps;
  const messages = subscribedMessages<RoomMessage>(
    (handler) => bus.watchRoom?.(parsed.room, handler) ?? bus.subscribe(ROOM_TOPIC, handler),
    (m) => m?.room === parsed.room,
    signal,
  );
  // Not a generator: a consumer that ends before its first read must still unsubscribe.
  const iterator: AsyncIterableIterator<RoomEvent> = {
    async next() {
      for (;;) {
        const r = await messages.next();
        if (r.done) return { value: undefined, done: true };
        const event = eventOf(parsed.room, r.value);
        if (event) return { value: event, done: false };
      }
    },
    async return() {
      await messages.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
