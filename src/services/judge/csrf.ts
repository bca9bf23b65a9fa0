import { secretsEqual } from '../../identity/encoding.js';
import { forbidden } from '../errors.js';

/**
 * The judge's CSRF pair, as the original ran it from 2018-11-10 (carp_oj_server ac6047b):
 * Spring Security's CookieCsrfTokenRepository.withHttpOnlyFalse(), a stateless double submit.
 * The token travels as the cookie `XSRF-TOKEN` (set by any page, `Path=/`, readable by scripts)
 * and comes back as the header `X-XSRF-TOKEN`; the two must be equal. The final old worker
 * (carp_judge_worker 424fcd0) reads the cookie from `GET <init_url>` and sends both with its login.
 */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'X-XSRF-TOKEN';

/** What Spring's AccessDeniedHandlerImpl (Security 5.0, Boot 2.0.6) put in its 403 body. */
const CSRF_REFUSED = 'Forbidden';

/** A fresh token: a random UUID (WebCrypto), the shape of Spring's `UUID.randomUUID().toString()`. */
export function newCsrfToken(): string {
  return crypto.randomUUID();
}

/**
 * The login's CSRF rule. No pair at all passes: workers before 424fcd0 (and scripts) send neither
 * the cookie nor the header. Any part of a pair present means the whole pair must be: both
 * non-empty and equal, compared in constant time. Anything else is Spring's 403.
 */
export async function checkCsrfPair(cookie: string | undefined, header: string | undefined): Promise<void> {
  if (cookie === undefined && header === undefined) return;
  const matches = await secretsEqual(cookie ?? '', header ?? '');
  if (!cookie || !header || !matches) throw forbidden(CSRF_REFUSED);
}
