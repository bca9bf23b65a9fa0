import type { Logger } from '../observe/logger.js';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { RoomSlots } from '../rooms/slots.js';

/** Per room: a hash of socket id -> the node incarnation holding it. */
const SLOTS = 'arena:room-slots:';
/** Per node incarnation: a key that lives while the node heartbeats. */
const NODE = 'arena:room-node:';

// Takes a slot if fewer than the limit are held by live nodes; slots of nodes whose key expired
// (a node killed, or cut off from Redis for longer than the TTL) are dropped on the way.
// KEYS[1] slots hash; ARGV: socket id, node, limit, node key prefix, node TTL (ms).
const CLAIM = `
local slots, id, node, limit, prefix = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
redis.call('SET', prefix .. node, '1', 'PX', ARGV[5])
if redis.call('HEXISTS', slots, id) == 1 then
  redis.call('HSET', slots, id, node)
  return 1
end
local entries = redis.call('HGETALL', slots)
local alive = {}
local count = 0
for i = 1, #entries, 2 do
  local n = entries[i + 1]
  local ok = alive[n]
  if ok == nil then
    ok = redis.call('EXISTS', prefix .. n) == 1
    alive[n] = ok
  end
  if ok then count = count + 1 else redis.call('HDEL', slots, entries[i]) end
end
if count >= limit then return 0 end
redis.call('HSET', slots, id, node)
return 1
`;

export interface RedisSlotsOptions {
  /** How long a silent node's slots still count (a killed node frees them after this). */
  ttlMs?: number;
  heartbeatMs?: number;
  log: Logger;
}

type ClaimCommand = (key: string, id: string, node: string, limit: number, prefix: string, ttl: number) => Promise<number>;

/**
 * The per-room connection count across gateway nodes, in Redis. Each slot is a field of the
 * room's hash naming the node incarnation that holds it; a node heartbeats its own key with a
 * TTL, and a claim ignores (and drops) the slots of nodes whose key is gone: killing a node frees
 * its slots after the TTL, no count leaks.
 *
 * While Redis is away the count is this node's own (its sockets only): a Redis outage must not
 * lock people out of their rooms, and the overshoot is bounded (nodes x limit). When Redis is back the
 * node takes a fresh incarnation, writes every slot it holds under it and deletes the old key,
 * so releases missed during the outage do not leak either. Needs one Redis (not a cluster:
 * the claim script reads node keys it does not declare).
 */
export function redisSlots(url: string, options: RedisSlotsOptions): RoomSlots & { node(): string } {
  const ttlMs = options.ttlMs ?? 5000;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const { log } = options;
  // A Redis that hangs (connected, not answering) must not hold a handshake: 2 s, then the local count.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000 });
  redis.on('error', () => undefined); // reconnects; claims fall back to the local count meanwhile
  redis.defineCommand('arenaRoomClaim', { numberOfKeys: 1, lua: CLAIM });
  const claimCommand = (redis as unknown as { arenaRoomClaim: ClaimCommand }).arenaRoomClaim.bind(redis);

  /** Sockets holding a slot on this node, per room: the local count, and what a resync writes. */
  const held = new Map<string, Set<string>>();
  const newNode = () => randomBytes(9).toString('base64url');
  let node = newNode();
  /** Bumped by every resync: a claim that straddles one may have been re-added by it. */
  let generation = 0;
  /** Redis may not hold what `held` says (a claim or release missed it): resync at the next beat. */
  let dirty = true;
  let resyncing: Promise<void> | null = null;
  let redisWasAway = false;
  let closed = false;

  const ready = () => redis.status === 'ready';

  function resync(): Promise<void> {
    resyncing ??= (async () => {
      const old = node;
      node = newNode();
      generation++;
      dirty = false;
      const p = redis.pipeline();
      p.set(NODE + node, '1', 'PX', ttlMs);
      for (const [room, ids] of held) for (const id of ids) p.hset(SLOTS + room, id, node);
      p.del(NODE + old);
      try {
        const results = (await p.exec()) ?? [];
        if (results.some(([err]) => err)) dirty = true;
      } catch {
        dirty = true;
      }
    })().finally(() => (resyncing = null));
    return resyncing;
  }

  redis.on('ready', () => {
    if (redisWasAway) log.info({}, 'Redis is back: room slots counted across nodes again');
    redisWasAway = false;
    void resync();
  });
  redis.on('close', () => {
    if (!redisWasAway && !closed) log.warn({}, 'Redis is away: room limits are counted per node until it is back');
    redisWasAway = true;
    dirty = true;
  });

  const beat = setInterval(() => {
    if (!ready()) return;
    if (dirty) void resync();
    else redis.set(NODE + node, '1', 'PX', ttlMs).catch(() => (dirty = true));
  }, heartbeatMs);
  beat.unref();

  const localCount = (room: string) => held.get(room)?.size ?? 0;

  return {
    node: () => node,

    async claim(room, socketId, limit) {
      let set = held.get(room);
      if (set?.has(socketId)) return true;
      if (!ready()) {
        if (localCount(room) >= limit) return false;
        if (!set) held.set(room, (set = new Set()));
        set.add(socketId);
        dirty = true;
        return true;
      }
      if (resyncing) await resyncing;
      // Held before the answer: a resync meanwhile writes it too (undone below if refused).
      if (!set) held.set(room, (set = new Set()));
      set.add(socketId);
      const gen = generation;
      let ok: boolean;
      try {
        ok = (await claimCommand(SLOTS + room, socketId, node, limit, NODE, ttlMs)) === 1;
      } catch {
        // Redis went away mid-claim: this node's own count decides.
        set.delete(socketId);
        ok = localCount(room) < limit;
        if (ok) set.add(socketId);
        dirty = true;
      }
      if (!ok) {
        set.delete(socketId);
        if (set.size === 0) held.delete(room);
        if (gen !== generation) redis.hdel(SLOTS + room, socketId).catch(() => (dirty = true));
      }
      return ok;
    },

    async release(room, socketId) {
      const set = held.get(room);
      if (!set?.delete(socketId)) return;
      if (set.size === 0) held.delete(room);
      if (!ready()) {
        dirty = true;
        return;
      }
      try {
        await redis.hdel(SLOTS + room, socketId);
      } catch {
        dirty = true;
      }
    },

    async close() {
      closed = true;
      clearInterval(beat);
      // A node that leaves on purpose frees whatever it still holds at once.
      if (ready()) await redis.del(NODE + node).catch(() => undefined);
      redis.disconnect();
    },
  };
}
