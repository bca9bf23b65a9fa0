import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorKind } from '../services/errors.js';

/** The plain HTTP status of each kind of service error, for the APIs that answer with real statuses. */
export const HTTP_STATUS_OF: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};
