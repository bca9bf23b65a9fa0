import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
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
  const url = `${base}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Node 20 has no EventSource; the `eventsource` package lets us send the same headers.
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: { fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }) },
        }),
        false: httpLink({ url, headers: () => headers }),
      }),
    ],
  });
}

/** How a test sends a request: fetch, or another way in (Miniflare's dispatchFetch to one of its Workers). */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

/** A GraphQL subscription over SSE (yoga's default); every event's data collected. */
export function gqlSubscribe(
  base: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
  fetcher: Fetcher = fetch,
) {
  const seen: any[] = [];
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetcher(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        const parts = buf.split('\n\n');
        buf = parts.pop()!;
        for (const part of parts) {
          const data = /^data: (.*)$/m.exec(part)?.[1];
          if (data) seen.push(JSON.parse(data));
        }
      }
    } catch {
      // aborted
    }
  })();
  return { seen, stop: () => abort.abort(), done };
}
