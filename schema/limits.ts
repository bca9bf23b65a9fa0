import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * What one GraphQL document may ask, checked before it runs (graphql-armor). The token limit
 * stops the parser itself, so a document nested thousands deep (selections, fragments, list
 * types) is refused before any recursion over it. Introspection (GraphiQL's) is exempt from
 * depth and cost, not from tokens. The largest query the gateway's own clients send is far
 * below each limit.
 */
export const DOCUMENT_LIMITS = { tokens: 2000, depth: 10, aliases: 30, directives: 20, cost: 5000 } as const;

/** Errors of refused documents: a bad request (400) whatever the client accepts; yoga reads the status from the error. */
const refusals = new WeakSet<GraphQLError>();
const badRequest = [
  (_: unknown, err: GraphQLError) => {
    refusals.add(err);
    Object.assign(err.extensions, { http: { status: 400 }, code: 'BAD_REQUEST' });
  },
];

/**
 * Yoga marks every parse error as a spec one (200 for an `application/json` client); a refusal
 * by the token limit is not a typo in the document but a bound, answered 400 for every client.
 */
const refusalsAre400: Plugin = {
  onResultProcess({ result }) {
    for (const err of ('errors' in result && result.errors) || []) {
      if (err instanceof GraphQLError && refusals.has(err)) (err.extensions.http as { spec?: boolean }).spec = false;
    }
  },
};

/**
 * yoga reads a GET request's `variables` and `extensions` with a bare JSON.parse, and a value
 * that is not JSON escaped as a 500; it is the client's mistake, a 400 in the usual shape.
 */
const getParamsAreJson: Plugin = {
  onRequestParse({ request }) {
    if (request.method !== 'GET') return;
    const params = new URL(request.url).searchParams;
    for (const name of ['variables', 'extensions']) {
      const value = params.get(name);
      if (value === null || value === '') continue;
      try {
        JSON.parse(value);
      } catch {
        throw createGraphQLError(`The "${name}" parameter is not valid JSON.`, { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
      }
    }
  },
};

export const graphqlBounds = (): Plugin[] => [
  getParamsAreJson,
  refusalsAre400,
  maxTokensPlugin({ n: DOCUMENT_LIMITS.tokens, onReject: badRequest }),
  maxDepthPlugin({ n: DOCUMENT_LIMITS.depth, flattenFragments: true, onReject: badRequest }),
  maxAliasesPlugin({ n: DOCUMENT_LIMITS.aliases, onReject: badRequest }),
  maxDirectivesPlugin({ n: DOCUMENT_LIMITS.directives, onReject: badRequest }),
  costLimitPlugin({ maxCost: DOCUMENT_LIMITS.cost, onReject: badRequest }),
];
