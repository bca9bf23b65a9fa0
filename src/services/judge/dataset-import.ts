import { validateInstanceText } from '../../carp/instance.js';
import { ServiceError } from '../errors.js';
import type { User } from '../users.js';
import type { DatasetsService } from './datasets.js';

/** What becomes of one instance file. */
export type ImportOutcome = { added: string } | { exists: true } | { invalid: string };

export interface ImportLimits {
  time: number;
  memory: number;
  cpu: number;
}

/**
 * Datasets from instance files (`npm run carp:import`): each one is checked as the judge will
 * read it before anything is written, and added in one statement (all of it or nothing); a
 * name that exists is skipped, never overwritten.
 */
export function datasetImport(datasets: DatasetsService) {
  return {
    async importOne(actor: User, name: string, data: string, limits: ImportLimits, bestKnownCost: number | null): Promise<ImportOutcome> {
      if (await datasets.exists(name)) return { exists: true };
      const bad = validateInstanceText(data);
      if (bad) return { invalid: bad };
      try {
        return { added: (await datasets.add(actor, { name, data, ...limits, bestKnownCost })).id };
      } catch (err) {
        if (err instanceof ServiceError && err.kind === 'conflict') return { exists: true };
        if (err instanceof ServiceError && err.kind === 'invalid') return { invalid: err.message };
        throw err;
      }
    },
  };
}
