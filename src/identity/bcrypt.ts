import { compare } from 'bcryptjs';
import { registerPasswordScheme } from './password.js';

/**
 * A bcrypt hash as the contest integration API's clients send it after `bcrypt:` (CMS's
 * `hash_method`): $2a$, $2b$ or $2y$, a cost, 53 characters of salt and hash. Costs above 14
 * are refused: pure-JS bcrypt at such a cost would tie up a login for seconds.
 */
export const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$/;

let registered = false;

/** Stored bcrypt hashes verify at login (pure JS, edge-safe); users.verify then upgrades them to PBKDF2. */
export function registerBcrypt(): void {
  if (registered) return;
  registered = true;
  registerPasswordScheme('$2', (password, stored) => BCRYPT_HASH.test(stored) && compare(password, stored));
}
