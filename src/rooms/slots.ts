/**
 * The per-room connection count, as a port: in-process here (one node), in Redis across nodes
 * (src/node/redis-slots.ts). A slot is held per socket, under the socket's id.
 */
export interface RoomSlots {
  /** Takes a slot of `room` for socket `socketId` if fewer than `limit` are held; false if full. */
  claim(room: string, socketId: string, limit: number): Promise<boolean>;
  release(room: string, socketId: string): Promise<void>;
  close(): Promise<void>;
}

/** One node's count: the sockets holding a slot, per room. */
export function localSlots(): RoomSlots & { held(room: string): number } {
  const rooms = new Map<string, Set<string>>();
  return {
    async claim(room, socketId, limit) {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      if (set.has(socketId)) return true;
      if (set.size >= limit) return false;
      set.add(socketId);
      return true;
    },
    async release(room, socketId) {
      const set = rooms.get(room);
      if (!set) return;
      set.delete(socketId);
      if (set.size === 0) rooms.delete(room);
    },
    async close() {
      rooms.clear();
    },
    held: (room) => rooms.get(room)?.size ?? 0,
  };
}
