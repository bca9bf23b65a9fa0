import { Redis } from 'ioredis';
import type { Bus, BusHandler } from '../bus/bus.js';

const PREFIX = 'arena:';

/**
 * The bus across gateway nodes: Redis pub/sub, one connection to publish and one to listen.
 * Every node, this one included, receives each message from Redis, so all see one order.
 * The database stays the source of truth: a publish that fails while Redis is away is logged
 * and dropped (listeners catch up from the database), and ioredis reconnects by itself.
 */
export function redisBus(url: string, log: (line: string) => void = console.error): Bus {
  const pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const sub = new Redis(url, { lazyConnect: false });
  const topics = new Map<string, Set<BusHandler>>();
  pub.on('error', () => undefined); // reconnects; failures surface where a publish is attempted
  sub.on('error', () => undefined);

  sub.on('message', (channel: string, text: string) => {
    const handlers = topics.get(channel.slice(PREFIX.length));
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
        log(`bus handler for ${channel} failed: ${(err as Error).message}`);
      }
    }
  });

  return {
    async publish(topic, message) {
      try {
        await pub.publish(PREFIX + topic, JSON.stringify(message));
      } catch (err) {
        log(`bus publish to ${topic} failed: ${(err as Error).message}`);
      }
    },
    subscribe(topic, handler) {
      let set = topics.get(topic);
      if (!set) {
        topics.set(topic, (set = new Set()));
        sub.subscribe(PREFIX + topic).catch((err: Error) => log(`bus subscribe to ${topic} failed: ${err.message}`));
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
    async close() {
      topics.clear();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
