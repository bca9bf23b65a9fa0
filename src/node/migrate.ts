import { ConfigError, loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { consoleLogger } from '../observe/logger.js';
import { loadMigrations, openDatabase } from './db.js';

/** `npm run migrate`: applies pending migrations and says which. */
try {
  const config = loadConfig(process.env);
  // Why a server could not be reached goes to stderr as a record, beside the one failure line.
  const db = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, consoleLogger('warn', { service: 'migrate' }, console.error));
  const applied = await migrate(db, loadMigrations());
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  db.close();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
}
