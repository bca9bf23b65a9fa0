import { createServer } from 'node:http';

/** Baseline: the cheapest possible Node HTTP answer. */
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello');
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.send?.({ url: `http://127.0.0.1:${addr.port}` });
});
