import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { resolveActor } from '../identity/request-auth.js';
import { requestAddress } from '../observe/request-context.js';
import { ServiceError, type ErrorKind } from '../services/errors.js';
import type { Services } from '../services/index.js';

export async function createContext(services: Services, req: Request) {
  // Who calls is read before any procedure runs: a service error there (the database away) answers as a procedure's would.
  const actor = await resolveActor(services, req).catch((err: unknown) => {
    throw asTRPCError(err);
  });
  return { services, actor, address: requestAddress(req) };
}
type TRPCContext = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<TRPCContext>().create({
  // Dead subscribers are noticed by pings and every stream ends after a while (clients reconnect).
  sse: { ping: { enabled: true, intervalMs: 15_000 }, maxDurationMs: 10 * 60_000 },
  // Not tRPC's NODE_ENV guess: a stack or a fault's own message reaches the client only in the
  // operator's explicit development mode (DEV_MODE=1).
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    if (ctx?.services.deps.config.DEV_MODE === '1') return { ...shape, data: { ...shape.data, stack: error.stack } };
    return error.code === 'INTERNAL_SERVER_ERROR' ? { ...shape, message: 'Internal server error' } : shape;
  },
});

const CODE: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid: 'BAD_REQUEST',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  too_large: 'PAYLOAD_TOO_LARGE',
  rate_limited: 'TOO_MANY_REQUESTS',
  unavailable: 'SERVICE_UNAVAILABLE',
};

/** A service error as a tRPC error with the service's message; anything else as it is (internal). */
function asTRPCError(err: unknown): unknown {
  return err instanceof ServiceError ? new TRPCError({ code: CODE[err.kind], message: err.message, cause: err }) : err;
}

/** Service errors become tRPC errors; anything else stays internal. */
const serviceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) throw asTRPCError(result.error.cause);
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(serviceErrors);
