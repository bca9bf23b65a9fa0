import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../observe/metrics.js';

/** What the gauges read when scraped: levels owned by the services, the room host and the bus. */
interface MetricSources {
  caseCounts(): Promise<Record<string, number>>;
  roomKinds: readonly string[];
  roomSockets(kind: string): number;
  busConnected(): boolean;
}

export interface NodeMetrics extends Metrics {
  /** The gauges' sources, once the services and the room host exist. */
  watch(sources: MetricSources): void;
  /** The Prometheus text exposition of everything. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** The gateway's metrics in its own prom-client registry (one per gateway, so nodes in one process stay apart). */
export function nodeMetrics(): NodeMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'arena_' });
  let sources: MetricSources | null = null;

  const requests = new Counter({
    name: 'arena_http_requests_total',
    help: 'Answered HTTP requests, by door, route pattern, method and status',
    labelNames: ['door', 'route', 'method', 'status'],
    registers,
  });
  const latency = new Histogram({
    name: 'arena_http_request_duration_seconds',
    help: 'Time to the answer (its headers, for a stream), by door and route pattern',
    labelNames: ['door', 'route', 'method'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const claims = new Counter({ name: 'arena_judge_claims_total', help: 'Cases claimed by workers', registers });
  const expiries = new Counter({ name: 'arena_judge_lease_expiries_total', help: 'Leases that ran out and went back to the queue', registers });
  const runs = new Histogram({
    name: 'arena_judge_run_seconds',
    help: "Judged runs, by outcome: the solver's time as the judge reported it",
    labelNames: ['outcome'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  new Gauge({
    name: 'arena_cases',
    help: 'Cases by status',
    labelNames: ['status'],
    registers,
    async collect() {
      if (!sources) return;
      this.reset();
      for (const [status, n] of Object.entries(await sources.caseCounts())) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'arena_room_sockets',
    help: 'Room sockets open on this node, by kind',
    labelNames: ['kind'],
    registers,
    collect() {
      if (!sources) return;
      for (const kind of sources.roomKinds) this.set({ kind }, sources.roomSockets(kind));
    },
  });
  new Gauge({
    name: 'arena_bus_connected',
    help: 'Whether the bus (Redis with REDIS_URL, else in-process) is connected both ways: 1 or 0',
    registers,
    collect() {
      if (sources) this.set(sources.busConnected() ? 1 : 0);
    },
  });

  // Each label set's series, bound once: prom-client would hash the labels again on every request.
  // As many as the label sets seen, which the series themselves already are.
  const series = new Map<string, { count: () => void; time: (seconds: number) => void }>();
  const seriesOf = (door: string, route: string, method: string, status: number) => {
    const key = `${door} ${route} ${method} ${status}`;
    let s = series.get(key);
    if (!s) {
      const counted = requests.labels({ door, route, method, status: String(status) });
      const timed = latency.labels({ door, route, method });
      s = { count: () => counted.inc(), time: (seconds) => timed.observe(seconds) };
      series.set(key, s);
    }
    return s;
  };

  return {
    request({ door, route, method, status }, seconds) {
      const s = seriesOf(door, route, method, status);
      s.count();
      s.time(seconds);
    },
    claimed: () => claims.inc(),
    leasesExpired: (count) => expiries.inc(count),
    judged: (outcome, seconds) => runs.observe({ outcome }, seconds),
    watch(s) {
      sources = s;
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
