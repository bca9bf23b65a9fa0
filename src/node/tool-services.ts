import type { Config } from '../config.js';
import { memoryBus } from '../bus/memory.js';
import { migrate } from '../db/migrate.js';
import type { Logger } from '../observe/logger.js';
import { noMetrics } from '../observe/metrics.js';
import { createServices } from '../services/index.js';
import { fsBlobStore } from './blob-fs.js';
import { loadMigrations, openDatabase } from './db.js';

/**
 * A command-line tool's services on DATABASE_URL: migrated, and with ROOT created from
 * ROOT_PASSWORD as `npm start` creates it, when the database has none (the edge's one way to get
 * its first ROOT: a Worker has no console to print a generated password on).
 */
export async function toolServices(config: Config, log: Logger) {
  const db = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, log);
  const applied = await migrate(db, loadMigrations());
  const services = createServices({ db, blobs: fsBlobStore(config.BLOB_DIR), bus: memoryBus(log), config, now: Date.now, log, metrics: noMetrics });
  const { created } = config.ROOT_PASSWORD ? await services.users.ensureRoot(config.ROOT_USERNAME, config.ROOT_PASSWORD) : { created: false };
  return { db, services, applied, rootCreated: created };
}
