import { serve } from '@hono/node-server';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';

/** Anchor: a bare tRPC `hello` query on the fetch adapter (no context, no database), served as the gateway serves tRPC. */
const t = initTRPC.create();
const appRouter = t.router({ hello: t.procedure.query(() => 'hello') });
const server = serve(
  {
    fetch: (req) => fetchRequestHandler({ endpoint: '/trpc', req, router: appRouter }),
    hostname: '127.0.0.1',
    port: 0,
  },
  (info) => process.send?.({ url: `http://127.0.0.1:${info.port}` }),
);
void server;
