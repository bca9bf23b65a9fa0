import { md5 } from '@noble/hashes/legacy.js';
import { toHex } from './encoding.js';

/** MD5 as lowercase hex: WebCrypto has none, and the quiz digest protocol needs it. */
export function md5Hex(text: string): string {
  return toHex(md5(new TextEncoder().encode(text)));
}

/**
 * The quiz protocol's HA1 = MD5(login:password). It is password-equivalent for that protocol
 * (anyone holding it can answer a digest challenge), so it lives in its own column and is
 * written only while QUIZ_HA1 is on.
 */
export const quizHa1 = (login: string, password: string) => md5Hex(`${login}:${password}`);
