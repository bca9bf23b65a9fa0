import type { Logger } from '../observe/logger.js';
import type { Bus, BusHandler } from './bus.js';

/**
 * The single-node bus: delivers on the next microtask, like a network bus would, never inline.
 * `partial`: other instances (edge isolates) serve beside this one, out of its reach.
 */
export function memoryBus(log: Logger, options: { partial?: boolean } = {}): Bus {
  const topics = new Map<string, Set<BusHandler>>();
  return {
    partial: options.partial ?? false,
    async publish(topic, message) {
      const handlers = topics.get(topic);
      if (!handlers) return;
      await Promise.resolve();
      for (const h of [...handlers]) {
        try {
          h(message);
        } catch (err) {
          log.error({ err, topic }, 'bus handler failed');
        }
      }
    },
    subscribe(topic, handler) {
      let set = topics.get(topic);
      if (!set) topics.set(topic, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) topics.delete(topic);
      };
    },
    async close() {
      topics.clear();
    },
  };
}
