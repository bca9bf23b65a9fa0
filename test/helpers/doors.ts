import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../src/trpc/router.js';

/** GraphQL over real HTTP; returns the whole `{data, errors}` body. */
export async function gql(base: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** A typed tRPC client over real HTTP, authenticated by bearer token or cookie headers. */
export function trpc(base: string, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${base}/trpc`, headers: () => headers })] });
}
