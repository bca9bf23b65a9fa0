import type { Bus } from './bus.js';

/** A frame as the room sockets speak it (spec 001's training rooms; other kinds wrap theirs). */
export interface RoomFrame {
  type: string;
  payload: unknown;
}

/**
 * The bus topic every room message travels on: `{ room: 'lobby:42' | 'training:<uuid>' | ..., frame }`
 * from services (server frames), and the rooms' own relays. Every host of a room subscribes to it.
 */
export const ROOM_TOPIC = 'rooms.frame';

export interface RoomFrameMessage {
  room: string;
  frame: RoomFrame;
}

/** Sends a frame to every socket of `room` on every node. */
export function publishRoomFrame(deps: { bus: Bus }, room: string, frame: RoomFrame): Promise<void> {
  const message: RoomFrameMessage = { room, frame };
  return deps.bus.publish(ROOM_TOPIC, message);
}
