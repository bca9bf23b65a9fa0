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
}
