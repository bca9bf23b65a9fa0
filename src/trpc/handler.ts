import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Services } from '../services/index.js';
import { appRouter } from './router.js';
import { createContext } from './init.js';
import { logFault } from '../observe/request-context.js';

/**
 * Calls one batch may carry: each is a procedure run (a login is a password check), so a batch
 * is bounded like a request is. More answers tRPC's BAD_REQUEST, and no call of it runs.
 */
export const MAX_BATCH = 16;

/** tRPC over the Fetch API under /trpc, runtime-neutral. */
export function trpcHandler(services: Services) {
  return (req: Request) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req,
      router: appRouter,
      maxBatchSize: MAX_BATCH,
      createContext: () => createContext(services, req),
      onError({ error }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') logFault(req, error.cause ?? error);
      },
    });
}
