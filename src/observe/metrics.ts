/**
 * What the gateway counts as it works, as events (the Node host keeps them in prom-client; a
 * host without a metrics store drops them). Levels read at scrape time (cases by status, room
 * sockets, the bus) are not events: the host reads them from the services when asked.
 */
export interface Metrics {
  /** One answered HTTP request: its door, its route pattern (never the raw path), method and status. */
  request(labels: { door: string; route: string; method: string; status: number }, seconds: number): void;
  /** A worker claimed a case. */
  claimed(): void;
  /** Leases that ran out and were taken back by the sweep. */
  leasesExpired(count: number): void;
  /** A judge reported a run: whether its route was valid, and the solver's time in seconds. */
  judged(outcome: 'valid' | 'invalid', seconds: number): void;
}

export const noMetrics: Metrics = {
  request: () => undefined,
  claimed: () => undefined,
  leasesExpired: () => undefined,
  judged: () => undefined,
};
