import { constantTimeEqual, fromBase64, randomBytes, toBase64 } from './encoding.js';

// PBKDF2-SHA256 through WebCrypto, so the same code runs on Node and Workers. Workers cap
// PBKDF2 at 100k iterations, which is what we use.
const ITERATIONS = 100_000;
const PREFIX = 'pbkdf2-sha256';

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, ITERATIONS);
  return `${PREFIX}$${ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** True when a stored hash is this module's current scheme and cost (no upgrade needed). */
export function isCurrentHash(stored: string): boolean {
  return stored.startsWith(`${PREFIX}$${ITERATIONS}$`);
}

/** Other stored forms (bcrypt from the integration API) register a verifier here. */
export type PasswordVerifier = (password: string, stored: string) => Promise<boolean> | boolean;
const verifiers = new Map<string, PasswordVerifier>();

export function registerPasswordScheme(prefix: string, verify: PasswordVerifier): void {
  verifiers.set(prefix, verify);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split('$');
  if (scheme === PREFIX && iter && salt && hash) {
    const actual = await derive(password, fromBase64(salt), Number(iter));
    return constantTimeEqual(actual, fromBase64(hash));
  }
  for (const [prefix, verify] of verifiers) {
    if (stored.startsWith(prefix)) return verify(password, stored);
  }
  return false;
}
