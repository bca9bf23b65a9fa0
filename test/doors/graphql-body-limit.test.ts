// schema/body-limit.ts through a real yoga and real Fetch Requests: bodies with a Content-Length
// are judged by the header before any byte is read, chunked ones counted as they are read. (Over
// HTTP, a server refusing a chunked upload midway closes the connection under the client's
// upload, which then reads a reset, not the 413: so the chunked refusal is checked here.)
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { bodyLimit } from '../../schema/body-limit.js';

const LIMIT = 1000;
const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { echo(s: String!): Int! }',
    resolvers: { Query: { echo: (_: unknown, a: { s: string }) => a.s.length } },
  }),
  maxRequestBodySize: false,
  plugins: [bodyLimit(LIMIT)],
  logging: false,
});

const body = (padding: number) => JSON.stringify({ query: `{ echo(s: "${'x'.repeat(padding)}") }` });
/** A stream of the text in 100-byte chunks: fetch sends it chunked, with no Content-Length. */
const chunked = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.slice(i, i + 100));
      c.close();
    },
  });
};
const post = (init: RequestInit) =>
  yoga.fetch(
    new Request('http://x/graphql', {
      method: 'POST',
      ...init,
      headers: { 'content-type': 'application/json', ...init.headers },
      duplex: 'half',
    } as RequestInit),
  );

describe('GraphQL bodies bounded by their Content-Length, or counted when chunked', () => {
  it('under the limit: answered, whether it has a Content-Length or not', async () => {
    const text = body(500);
    expect(await (await post({ body: text, headers: { 'content-length': String(text.length) } })).json()).toEqual({ data: { echo: 500 } });
    expect(await (await post({ body: chunked(text) })).json()).toEqual({ data: { echo: 500 } });
  });

  it('over it: 413 in the GraphQL error shape; a Content-Length over it is refused before the body is read', async () => {
    let pulled = false;
    // highWaterMark 0: the stream asks for nothing until someone reads it.
    const unread = new ReadableStream(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const byHeader = await post({ body: unread, headers: { 'content-length': String(LIMIT + 1) } });
    expect(byHeader.status).toBe(413);
    expect(pulled).toBe(false);
    const counted = await post({ body: chunked(body(2 * LIMIT)) });
    expect(counted.status).toBe(413);
    expect((await counted.json()).errors).toEqual([expect.objectContaining({ message: 'Request body too large' })]);
  });

  it('a Content-Length that is not one number: 400', async () => {
    for (const length of ['12, 12', '-1', 'x']) {
      const res = await post({ body: body(10), headers: { 'content-length': length } });
      expect(res.status, length).toBe(400);
    }
  });
});
