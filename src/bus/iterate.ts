import type { Bus } from './bus.js';

/**
 * A topic as an async iterator of messages. It subscribes at once (not at the first read), and
 * buffers, so nothing published after this call is missed; the signal or `return()` ends it.
 * Subscriptions (GraphQL, tRPC) read the bus through this.
 */
export function busMessages<T>(bus: Bus, topic: string, accept: (m: T) => boolean, signal?: AbortSignal): AsyncIterableIterator<T> {
  return subscribedMessages((handler) => bus.subscribe(topic, handler), accept, signal);
}

/** busMessages for any subscription: `subscribe` hands each message to its handler and returns what ends it. */
export function subscribedMessages<T>(
  subscribe: (handler: (message: unknown) => void) => () => void,
  accept: (m: T) => boolean,
  signal?: AbortSignal,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  const off = subscribe((m) => {
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

/**
 * Reads of an iterator that give up after `ms` (null: nothing came), keeping the read that is
 * still pending for the next call, so no message is lost to a timeout.
 */
export function readsWithin<T>(iterator: AsyncIterator<T>, ms: number): () => Promise<IteratorResult<T> | null> {
  let pending: Promise<IteratorResult<T>> | null = null;
  return async () => {
    pending ??= iterator.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = Number.isFinite(ms) ? new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms))) : null;
    const r = await (timeout ? Promise.race([pending, timeout]) : pending);
    clearTimeout(timer);
    if (r !== null) pending = null;
    return r;
  };
}
