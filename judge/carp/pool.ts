// Thread pool for CARP verdicts (piscina 5). Checks are pure and fast; no abort/cancel support on
// purpose: an aborted piscina task kills its worker thread, and with it the paths cache.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { Verdict } from '../../src/carp/verdict.js';
import type { CheckTask, CheckTaskResult } from './worker.js';

export interface CheckPool {
  verdict(input: CheckTask): Promise<Verdict>;
  /** Worker cache counters over this pool's life: misses = instance parses + paths computed. */
  stats(): { hits: number; misses: number };
  close(): Promise<void>;
}

// Running from TypeScript sources (tsx, vitest): the worker is worker.ts, and worker threads
// need tsx's loader. Under tsx they would inherit it, but vitest transforms modules in-process
// (vite-node) without any Node loader, so the worker gets `--import <tsx loader>` explicitly,
// as an absolute URL so it resolves whatever the cwd. A compiled build loads worker.js as is.
function workerOptions(): { filename: string; execArgv?: string[] } {
  const fromTs = import.meta.url.endsWith('.ts');
  const filename = new URL(fromTs ? './worker.ts' : './worker.js', import.meta.url).href;
  if (!fromTs) return { filename };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename, execArgv: ['--import', tsx] };
}

export function createCheckPool(options: { threads?: number } = {}): CheckPool {
  const threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism()));
  // min = max: threads stay alive (and keep their caches) while the pool is idle.
  const pool = new Piscina<CheckTask, CheckTaskResult>({
    ...workerOptions(),
    minThreads: threads,
    maxThreads: threads,
  });
  let hits = 0;
  let misses = 0;
  return {
    async verdict(input) {
      const { datasetKey, instanceText, run } = input;
      const { verdict, paths } = await pool.run({
        datasetKey,
        instanceText,
        run: { timedout: run.timedout, exitcode: run.exitcode, stdout: run.stdout },
      });
      if (paths === 'computed') misses++;
      else if (paths === 'cached') hits++;
      return verdict;
    },
    stats: () => ({ hits, misses }),
    close: () => pool.close(),
  };
}
