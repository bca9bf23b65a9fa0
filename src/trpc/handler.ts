import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Services } from '../services/index.js';
import { appRouter } from './router.js';
import { createContext } from './init.js';

/** tRPC over the Fetch API under /trpc, runtime-neutral. */
export function trpcHandler(services: Services) {
  return (req: Request) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req,
      router: appRouter,
      createContext: () => createContext(services, req),
    });
}
