import type { Bus } from './bus.js';

/**
 * A topic as an async iterator of messages. It subscribes at once (not at the first read), and
 * buffers, so nothing published after this call is missed; the signal or `return()` ends it.
 * Subscriptions (GraphQL, tRPC) read the bus through this.
 */
export function busMessages<T>(bus: Bus, topic: string, accept: (m: T) => boolean, signal?: AbortSignal): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  const off = bus.subscribe(topic, (m) => {
    if (!accept(m as T)) return;
    queue.push(m as T);
    wake?.();
  });
  const end = () => {
    ended = true;
    off();
    wake?.();
  };
  signal?.addEventListener('abort', end, { once: true });

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (!ended && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (queue.length > 0) return { value: queue.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      end();
      signal?.removeEventListener('abort', end);
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
