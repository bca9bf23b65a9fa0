import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { mergePath } from 'hono/utils/url';
import type { UpgradeWebSocket } from 'hono/ws';
import type { Services } from './services/index.js';
import { observeRequests, requestObserver } from './observe/requests.js';
import { metricsRouter, type Scrape } from './rest/metrics.js';
import { integrationRouter } from './rest/integration.js';
import { judgeRouters } from './rest/judge.js';
import { socialRouter } from './rest/social.js';
import type { DocAssets } from './docs/assets.js';
import { docAssetsRouter } from './docs/router.js';
import { openApiRouter } from './rest/openapi/index.js';
import { quizRouter } from './rest/quiz.js';
import { trainingRouter, trainingRoutes } from './rest/training.js';
import { type ClientIp, memoryCounter, type RequestCounter } from './rest/rate-limit.js';
import type { RoomHost } from './rooms/host.js';
import { GRAPHQL_PATH, type GraphqlOptions, graphqlHandler } from '../schema/yoga.js';
import { observedByYoga } from '../schema/observe.js';
import { trpcHandler } from './trpc/handler.js';

export interface AppOptions {
  clientIp: ClientIp;
  /** The host's WebSocket upgrade (Node: @hono/node-server's); without it socket routes answer 501. */
  upgradeWebSocket?: UpgradeWebSocket;
  /** The host of room actors (Node: in-process, src/rooms/host.ts); without it room paths are not served. */
  rooms?: Pick<RoomHost, 'routes'>;
  /** The host's metrics store (Node: prom-client); without it /metrics is not served. */
  scrape?: Scrape;
  /** The doc pages' packaged files (Node: the installed packages, src/node/doc-assets.ts); without it those answer 404. */
  assets?: DocAssets;
  /** Where the rate limits count (the edge: Durable Objects); without it, this process's memory. */
  counter?: RequestCounter;
  /** The host serves /graphql itself (`hostedGraphql`, Node): the app does not mount it. */
  graphqlOnHost?: boolean;
}

/**
 * GraphQL and tRPC bodies: big enough for a judge report (two capped outputs) or a base64 image
 * upload at the upload limit, no bigger.
 */
const doorMaxBytes = (services: Services) => Math.max(2 * 1024 * 1024, Math.ceil((services.deps.config.UPLOAD_LIMIT_BYTES * 4) / 3) + 64 * 1024);

/**
 * GraphQL for a host that serves it with yoga's own adapter, straight from its server's request
 * (Node: no Fetch Request and Response built in between, the most of a GraphQL request's cost),
 * observed and bounded as the app's own doors are, with the host's own `plugins`. `S` is that
 * adapter's server context.
 */
export function hostedGraphql<S extends object>(
  services: Services,
  addressOf: (serverContext: S) => string,
  plugins: GraphqlOptions<S>['plugins'] = [],
) {
  const observe = requestObserver(services.deps.log, services.deps.metrics, () => 'graphql');
  return graphqlHandler<S>(services, {
    maxBodyBytes: doorMaxBytes(services),
    plugins: [observedByYoga(observe, GRAPHQL_PATH, addressOf), ...plugins],
  });
}

/** The methods yoga answers at /graphql (the others fall through to the other routers). */
export const GRAPHQL_METHODS = ['GET', 'POST', 'OPTIONS'];

/** The whole gateway as a fetch handler, runtime-neutral: Node and Workers both serve it. */
export function createApp(services: Services, options: AppOptions) {
  const app = new Hono();
  // Which door each route pattern belongs to, for the request log and metrics.
  const doors = new Map<string, string>();
  const mount = (door: string, path: string, router: Hono) => {
    for (const r of router.routes) {
      const pattern = mergePath(path, r.path);
      if (!doors.has(pattern)) doors.set(pattern, door);
    }
    app.route(path, router);
  };
  const doorOf = (route: string) => doors.get(route) ?? 'gateway';
  app.use('*', observeRequests(requestObserver(services.deps.log, services.deps.metrics, doorOf), options.clientIp));

  app.get('/healthz', async (c) => {
    const migrations = await services.health.migrations();
    return migrations === null ? c.json({ status: 'unavailable' }, 503) : c.json({ status: 'ok', migrations });
  });

  // Every socket protocol (spec 001's /ws/lobby and /ws/training, spec 003's marking sockets, the
  // old judge workers' /api/websocket), before any router's catch-all.
  if (options.rooms) mount('sockets', '/', options.rooms.routes(options.upgradeWebSocket));

  // Spec 000, the contest integration API, at the root (/get_user, /create_user, ...): JSend bodies.
  mount('integration', '/', integrationRouter(services));
  // Spec 003 (social/events) before the judge API: its /api/* catch-all 404 and its rate and
  // body limits are the judge's own, and must not answer or limit these paths.
  const counter = options.counter ?? memoryCounter(services.deps.now);
  mount('social', '/', socialRouter(services, options.clientIp, counter));
  const judge = judgeRouters(services, options.clientIp, counter);
  // The pages an old judge worker's init_url names (/, /api, /api/: the CSRF cookie), before the API's catch-all.
  mount('judge', '/', judge.home);
  mount('judge', '/api', judge.api);
  // Spec 002, quiz authorization, with the original's HTTP-200 envelope.
  mount('quiz', '/v1', quizRouter(services));
  // Spec 001's REST routes at the root (/training-sessions, /teams, /contests, /health, /user/me), FastAPI-style.
  const training = trainingRoutes(services);
  mount('training', '/', trainingRouter(services, training));
  // The OpenAPI document of every REST API (/openapi.json) and Swagger UI (/docs).
  app.route('/', openApiRouter(training));
  // Their pages' scripts and stylesheets (/docs/assets/*), served here so the pages need no CDN.
  app.route('/', docAssetsRouter(options.assets));
  if (options.scrape) app.route('/', metricsRouter(options.scrape, services.deps.config.METRICS_TOKEN, options.clientIp));

  const maxBodyBytes = doorMaxBytes(services);
  if (!options.graphqlOnHost) {
    const yoga = graphqlHandler(services, { maxBodyBytes });
    mount(
      'graphql',
      '/',
      new Hono().on(GRAPHQL_METHODS, GRAPHQL_PATH, (c) => yoga.fetch(c.req.raw)),
    );
  }

  // Only on methods with a body: the check reads the request's body stream, and making one has the
  // Node adapter build a whole Request, an eighth of a tRPC query's cost over GET.
  app.on(
    ['POST', 'PUT', 'PATCH', 'DELETE'],
    '/trpc/*',
    bodyLimit({ maxSize: maxBodyBytes, onError: (c) => c.json({ error: 'Payload Too Large' }, 413) }),
  );

  const trpc = trpcHandler(services);
  mount(
    'trpc',
    '/',
    new Hono().all('/trpc/*', (c) => trpc(c.req.raw)),
  );

  return app;
}

export type App = ReturnType<typeof createApp>;
