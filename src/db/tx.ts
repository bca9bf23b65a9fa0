import { ServiceError } from '../services/errors.js';
import { DATABASE_UNAVAILABLE } from './remote.js';
import type { Client, Transaction } from './types.js';

/**
 * The database went away during COMMIT: the transaction may have been applied or not. Answered as
 * `unavailable`; a caller that undoes its own side effects when a transaction fails (a blob
 * written before the row) keeps them this time, as the row may be there and point at them.
 */
export class CommitUnknown extends ServiceError {
  constructor() {
    super('unavailable', DATABASE_UNAVAILABLE);
  }
}

/** Runs `work` in one write transaction: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(db: Client, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const tx = await db.transaction('write');
  try {
    const result = await work(tx);
    await tx.commit().catch((err: unknown) => {
      throw err instanceof ServiceError && err.kind === 'unavailable' ? new CommitUnknown() : err;
    });
    return result;
  } catch (err) {
    await tx.rollback().catch(() => undefined);
    throw err;
  } finally {
    tx.close();
  }
}

/** True when a libSQL error is a UNIQUE constraint violation (for 409 answers). */
export function isUniqueViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${(err as { code?: string }).code ?? ''}` : '';
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT_UNIQUE|SQLITE_CONSTRAINT_PRIMARYKEY/.test(text);
}
