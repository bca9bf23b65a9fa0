import { GraphQLError } from 'graphql';
import { createYoga, maskError } from 'graphql-yoga';
import { resolveActor } from '../src/identity/request-auth.js';
import { ServiceError, type ErrorKind } from '../src/services/errors.js';
import type { Services } from '../src/services/index.js';
import type { GraphQLContext } from './builder.js';
import { schema } from './index.js';

const CODE: Record<ErrorKind, string> = {
  invalid: 'BAD_USER_INPUT',
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  too_large: 'PAYLOAD_TOO_LARGE',
  rate_limited: 'RATE_LIMITED',
};

/** graphql-yoga serving the Pothos schema at /graphql (GraphiQL on GET from a browser). */
export function graphqlHandler(services: Services) {
  return createYoga<object, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: async ({ request }) => ({ services, actor: await resolveActor(services, request) }),
    maskedErrors: {
      // Service errors are the client's to read; anything else stays masked.
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof ServiceError) {
          return new GraphQLError(original.message, {
            ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
            extensions: { code: CODE[original.kind] },
          });
        }
        return maskError(error, message, isDev);
      },
    },
  });
}
