/** Publish/subscribe between services, rooms and subscriptions: in-process, or Redis across nodes. */
export type BusHandler = (message: unknown) => void;

export interface Bus {
  publish(topic: string, message: unknown): Promise<void>;
  subscribe(topic: string, handler: BusHandler): () => void;
  close(): Promise<void>;
  /** Whether the transport answers (Redis: a PING); a bus without one (in-process) always does. */
  ping?(): Promise<boolean>;
  /** Whether the transport is connected right now, both ways (metrics); without one, always. */
  connected?(): boolean;
  /**
   * True when instances beyond this bus's reach serve the same data (each edge isolate has an
   * in-process bus of its own): what would be cached and dropped through the bus is not cached.
   */
  partial?: boolean;
  /**
   * One room's messages (ROOM_TOPIC), where rooms live out of this bus's reach (the edge: each in
   * its own object, which hands them over); without it, ROOM_TOPIC is subscribed and filtered.
   */
  watchRoom?(room: string, handler: BusHandler): () => void;
}

/** How often a waiter on a partial bus looks again itself (what it waits for may be published where this bus does not reach). */
const PARTIAL_RECHECK_MS = 1000;

/** How long a waiter may rely on this bus alone: without end where it reaches every publisher, else a second. */
export const recheckMs = (bus: Bus): number => (bus.partial ? PARTIAL_RECHECK_MS : Number.POSITIVE_INFINITY);
