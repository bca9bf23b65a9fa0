import { GraphQLError } from 'graphql';
import { createYoga, maskError, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import { GRAPHIQL_PAGE_HEADERS, graphiqlPage } from '../src/docs/pages.js';
import { resolveActor } from '../src/identity/request-auth.js';
import { requestAddress } from '../src/observe/request-context.js';
import { ServiceError, type ErrorKind } from '../src/services/errors.js';
import type { Services } from '../src/services/index.js';
import type { GraphQLContext } from './builder.js';
import { bodyLimit } from './body-limit.js';
import { graphqlBounds } from './limits.js';
import { schema } from './index.js';

const CODE: Record<ErrorKind, string> = {
  invalid: 'BAD_USER_INPUT',
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  too_large: 'PAYLOAD_TOO_LARGE',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'SERVICE_UNAVAILABLE',
};

/** GraphiQL's page (yoga's only HTML answer) gets its CSP; API answers do not. */
const graphiqlHeaders: Plugin = {
  onResponse({ response }) {
    if (response.headers.get('content-type') !== 'text/html') return;
    for (const [name, value] of Object.entries(GRAPHIQL_PAGE_HEADERS)) response.headers.set(name, value);
  },
};

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlOptions<S extends object> {
  /** Bodies over this are refused with 413 before they are parsed. */
  maxBodyBytes: number;
  /**
   * The host's own: Node's request log when it serves yoga outside the app's middleware, and
   * compiled execution where the runtime allows generated code (not Workers, which refuse
   * `new Function`).
   */
  plugins?: YogaServerOptions<S, GraphQLContext>['plugins'];
}

/** graphql-yoga serving the Pothos schema at /graphql (GraphiQL on GET from a browser); `S` is the host's server context. */
export function graphqlHandler<S extends object = object>(services: Services, options: GraphqlOptions<S>) {
  return createYoga<S, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    maxRequestBodySize: false, // bodyLimit below: the same bound for less
    landingPage: false,
    // Yoga's own lines (a masked fault among them) are records of the gateway's log.
    logging: {
      debug: (...args: unknown[]) => services.deps.log.debug({ args: args.map(String) }, 'graphql'),
      info: (...args: unknown[]) => services.deps.log.info({ args: args.map(String) }, 'graphql'),
      warn: (...args: unknown[]) => services.deps.log.warn({ args: args.map(String) }, 'graphql'),
      error: (...args: unknown[]) => services.deps.log.error({ err: args.find((a) => a instanceof Error) ?? String(args[0]) }, 'graphql fault'),
    },
    // GraphiQL from this origin's files (src/docs/), not yoga's page that links a CDN.
    renderGraphiQL: graphiqlPage,
    plugins: [...(options.plugins ?? []), bodyLimit(options.maxBodyBytes), graphiqlHeaders, ...graphqlBounds()],
    context: async ({ request }) => {
      // Who calls is read before any resolver runs: a failure there (the database away) is reported as a resolver's would be.
      const actor = await resolveActor(services, request).catch((err: Error) => {
        throw new GraphQLError(err.message, { originalError: err });
      });
      return { services, actor, address: requestAddress(request) };
    },
    maskedErrors: {
      // A fault's message and stack reach the client only in an explicit development mode.
      isDev: services.deps.config.DEV_MODE === '1',
      // Service errors are the client's to read; anything else stays masked.
      maskError(error, message, isDev) {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        if (original instanceof ServiceError && error instanceof GraphQLError) {
          // Returned as is (with its code) so yoga neither masks nor logs it as a server fault; the
          // database away also sets the answer's status, 503, as the other doors answer it.
          Object.assign(error.extensions, { code: CODE[original.kind] }, original.kind === 'unavailable' ? { http: { status: 503 } } : {});
          return error;
        }
        return maskError(error, message, isDev);
      },
    },
  });
}
