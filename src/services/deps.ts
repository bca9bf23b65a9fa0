import type { BlobStore } from '../blob/store.js';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config.js';
import type { Client } from '../db/types.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';

/** What every service is built from; the Node entry, the edge entry and tests each assemble one. */
export interface Deps {
  db: Client;
  blobs: BlobStore;
  bus: Bus;
  config: Config;
  now: () => number;
  log: Logger;
  metrics: Metrics;
}
