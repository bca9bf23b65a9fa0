import { randomBytes, toHex } from './encoding.js';

/** A 24-hex id shaped like a Mongo ObjectId (4 bytes of seconds, 8 random bytes), as spec 004 shows. */
export function objectId(now = Date.now()): string {
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + toHex(randomBytes(8));
}

/** A 128-bit random session id as 32 lowercase hex characters. */
export function sessionId(): string {
  return toHex(randomBytes(16));
}
