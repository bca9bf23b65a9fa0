import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

/** Anchor: a bare graphql-yoga `{ hello }` (default plugins, no context, no database) on node:http. */
const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'hello' } } }),
  logging: false,
});
const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.send?.({ url: `http://127.0.0.1:${addr.port}` });
});
