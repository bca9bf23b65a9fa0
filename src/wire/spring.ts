// Spring Boot's error body, the only error form spec 004's clients (the judge site, the old
// workers) know: written by the judge API's door and by the judge workers' socket handshake.

/** Jackson's default date format, as the original judge server sent it: 2018-11-01T09:47:26.263+0000. */
export function jacksonDate(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('Z', '+0000');
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface SpringError {
  timestamp: string | null;
  status: number;
  error: string;
  message: string;
  path: string;
}

export function springErrorBody(status: number, message: string, path: string): SpringError {
  return { timestamp: jacksonDate(Date.now()), status, error: REASON[status] ?? 'Error', message, path };
}

/** The error as a whole answer (for code that has a Request, not a Hono context). */
export function springErrorResponse(status: number, message: string, path: string): Response {
  return Response.json(springErrorBody(status, message, path), { status });
}
