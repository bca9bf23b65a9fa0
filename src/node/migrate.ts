import { ConfigError, loadConfig } from '../config.js';
import { consoleLogger } from '../observe/logger.js';
import { toolServices } from './tool-services.js';

/** `npm run migrate`: applies pending migrations and says which; creates ROOT from ROOT_PASSWORD when there is none. */
try {
  const config = loadConfig(process.env);
  // Why a server could not be reached goes to stderr as a record, beside the one failure line.
  const { db, applied, rootCreated } = await toolServices(config, consoleLogger('warn', { service: 'migrate' }, console.error));
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  if (rootCreated) console.log(`created ROOT user '${config.ROOT_USERNAME}'`);
  db.close();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
}
