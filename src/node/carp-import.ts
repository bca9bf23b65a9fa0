// `npm run carp:import -- DIR [--best-known FILE] [--time S] [--memory MB] [--cpu N]`: every
// `*.dat` of DIR becomes a dataset named after its file, on the database of DATABASE_URL (migrated
// first), added as the ROOT account. Datasets that exist are skipped; each file is checked before
// it is written and written whole or not at all; a bad file is one error line and exit code 1
// once the others are in. A progress bar on a terminal, one line per dataset otherwise.

import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { consoleLogger } from '../observe/logger.js';
import { parseBestKnown } from '../carp/best-known.js';
import { ConfigError, loadConfig } from '../config.js';
import type { ImportOutcome } from '../services/judge/dataset-import.js';
import { toolServices } from './tool-services.js';

const USAGE = 'usage: npm run carp:import -- DIR [--best-known FILE] [--time SECONDS] [--memory MB] [--cpu N]';

class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new UsageError(`--${name} must be a positive integer, not '${raw}'`);
  return Number(raw);
}

function readArgs() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'best-known': { type: 'string' }, time: { type: 'string' }, memory: { type: 'string' }, cpu: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  return {
    dir: positionals[0]!,
    bestKnown: values['best-known'],
    limits: { time: positiveInt('time', values.time, 10), memory: positiveInt('memory', values.memory, 256), cpu: positiveInt('cpu', values.cpu, 1) },
  };
}

/** One line per dataset, or one bar redrawn in place on a terminal (errors still get their own line). */
function reporter(total: number) {
  const tty = process.stdout.isTTY === true;
  let done = 0;
  const bar = (name: string) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stdout.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${name}`.padEnd(80));
  };
  return {
    report(name: string, outcome: ImportOutcome) {
      done++;
      if ('invalid' in outcome) {
        if (tty) process.stdout.write('\n');
        console.error(`${name}: not imported: ${outcome.invalid}`);
      } else if (!tty) {
        console.log('added' in outcome ? `${name}: added (${outcome.added})` : `${name}: exists, skipped`);
      }
      if (tty) bar(name);
    },
    end() {
      if (tty) process.stdout.write('\n');
    },
  };
}

try {
  const args = readArgs();
  const config = loadConfig(process.env);
  let bestKnown = new Map<string, number>();
  if (args.bestKnown !== undefined) {
    const parsed = parseBestKnown(await readFile(args.bestKnown, 'utf8'));
    if ('error' in parsed) throw new UsageError(`${args.bestKnown}: ${parsed.error}`);
    bestKnown = parsed.costs;
  }
  const files = (await readdir(args.dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.dat'))
    .map((e) => e.name)
    .sort();

  // The report is this tool's own lines; a service's fault goes to stderr as a record.
  const log = consoleLogger('warn', { service: 'carp-import' }, console.error);
  const { db, services } = await toolServices(config, log);
  const root = await services.users.byUsername(config.ROOT_USERNAME);
  if (!root)
    throw new UsageError(
      `no ROOT account '${config.ROOT_USERNAME}' in ${config.DATABASE_URL}: start the gateway once (npm start) or set ROOT_PASSWORD to create it`,
    );

  const progress = reporter(files.length);
  const counts = { added: 0, exists: 0, invalid: 0 };
  for (const file of files) {
    const name = basename(file, '.dat');
    const outcome = await services.judge.datasetImport.importOne(
      root,
      name,
      await readFile(join(args.dir, file), 'utf8'),
      args.limits,
      bestKnown.get(name) ?? null,
    );
    counts['added' in outcome ? 'added' : 'exists' in outcome ? 'exists' : 'invalid']++;
    progress.report(name, outcome);
  }
  progress.end();
  console.log(`${files.length} instance file(s): ${counts.added} added, ${counts.exists} skipped (exist), ${counts.invalid} not imported`);
  db.close();
  process.exit(counts.invalid > 0 ? 1 : 0);
} catch (err) {
  if (err instanceof UsageError || err instanceof ConfigError) console.error(err.message);
  else console.error(`carp:import failed: ${(err as Error).message}`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
