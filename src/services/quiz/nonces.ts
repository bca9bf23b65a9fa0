import type { Client } from '../../db/types.js';
import { randomBytes, toHex } from '../../identity/encoding.js';

const MAX_NONCE = 64;

/**
 * The digest protocol's server nonces. The original never stored them (any nonce passed, again
 * and again); here each is a row: consumed by one atomic DELETE, so it is good once, on any
 * node sharing the database, and only until it expires.
 */
export function quizNonces(db: Client, now: () => number, ttlMs: number) {
  return {
    async purge(): Promise<void> {
      await db.execute({ sql: 'DELETE FROM quiz_nonces WHERE expires_at <= ?', args: [now()] });
    },

    /** A fresh nonce: 32 lowercase hex characters, as the original's. */
    async issue(): Promise<string> {
      const nonce = toHex(randomBytes(16));
      await db.execute({ sql: 'INSERT INTO quiz_nonces (nonce, expires_at) VALUES (?, ?)', args: [nonce, now() + ttlMs] });
      return nonce;
    },

    /** True once for a nonce issued here and not expired; it is gone afterwards, whatever the answer. */
    async consume(nonce: string): Promise<boolean> {
      if (nonce.length === 0 || nonce.length > MAX_NONCE) return false;
      const r = (await db.execute({ sql: 'DELETE FROM quiz_nonces WHERE nonce = ? RETURNING expires_at', args: [nonce] })).rows[0];
      return r !== undefined && Number(r.expires_at) > now();
    },
  };
}
