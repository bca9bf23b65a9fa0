import type { Logger } from '../observe/logger.js';
import { Redis } from 'ioredis';
import type { Bus, BusHandler } from '../bus/bus.js';

const PREFIX = 'arena:';

/**
 * The bus across gateway nodes: Redis pub/sub, one connection to publish and one to listen.
 * Every node, this one included, receives each message from Redis, so all see one order.
 * The database stays the source of truth: a publish that fails while Redis is away is logged
 * and still delivered to this node's own listeners (a node keeps serving its own sockets and
 * waiters alone), other nodes catch up from the database; ioredis reconnects by itself.
 */
export function redisBus(url: string, log: Logger): Bus {
  // Nothing waits on Redis: no offline queue, and a Redis that hangs (connected, not answering)
  // fails a publish (or a health ping) after 2 s instead of holding the request that made it.
  const pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000 });
  const sub = new Redis(url, { lazyConnect: false });
  const topics = new Map<string, Set<BusHandler>>();
  let failing = false;
  pub.on('error', () => undefined); // reconnects; failures surface where a publish is attempted
  sub.on('error', () => undefined);
  // Listening = the subscriptions are confirmed on the current connection (after a reconnect
  // ioredis reports ready before its resubscription is done).
  let listening = false;
  sub.on('close', () => (listening = false));
  sub.on('ready', () => {
    const channels = [...topics.keys()].map((t) => PREFIX + t);
    if (channels.length === 0) listening = true;
    else
      sub.subscribe(...channels).then(
        () => (listening = sub.status === 'ready'),
        () => undefined,
      );
  });

  const deliver = (topic: string, text: string) => {
    const handlers = topics.get(topic);
    if (!handlers) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    for (const h of [...handlers]) {
      try {
        h(message);
      } catch (err) {
        log.error({ err, topic }, 'bus handler failed');
      }
    }
  };
  sub.on('message', (channel: string, text: string) => deliver(channel.slice(PREFIX.length), text));

  return {
    async publish(topic, message) {
      const text = JSON.stringify(message);
      // Not listening (Redis away, or this connection not back yet): this node would not get
      // its own message back, so it is delivered here.
      const heard = listening;
      try {
        await pub.publish(PREFIX + topic, text);
        failing = false;
      } catch (err) {
        // Once per outage: every room frame would otherwise log a line.
        if (!failing) log.warn({ err, topic }, 'bus publish failed (further failures not logged until it works)');
        failing = true;
        if (heard) deliver(topic, text);
      }
      if (!heard) deliver(topic, text);
    },
    subscribe(topic, handler) {
      let set = topics.get(topic);
      if (!set) {
        topics.set(topic, (set = new Set()));
        sub.subscribe(PREFIX + topic).catch((err: Error) => log.warn({ err, topic }, 'bus subscribe failed'));
      }
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) {
          topics.delete(topic);
          sub.unsubscribe(PREFIX + topic).catch(() => undefined);
        }
      };
    },
    connected: () => pub.status === 'ready' && listening,
    /** For health checks: Redis answers PING (false while it is away). */
    async ping() {
      try {
        return (await pub.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      topics.clear();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
