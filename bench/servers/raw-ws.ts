import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Baseline for the rooms bench: a bare `ws` server relaying every text frame to every socket of
 * its room (`?room=`), the sender included. With REDIS_URL set, frames go through one Redis
 * channel and each process delivers what comes back (the least a cross-node relay can do).
 */
const rooms = new Map<string, Set<WebSocket>>();
const deliver = (room: string, text: string) => {
  for (const s of rooms.get(room) ?? []) s.send(text);
};
const url = process.env.REDIS_URL;
const pub = url ? new Redis(url) : null;
if (url) {
  const sub = new Redis(url);
  await sub.subscribe('raw-rooms');
  sub.on('message', (_c: string, m: string) => {
    const i = m.indexOf('\n');
    deliver(m.slice(0, i), m.slice(i + 1));
  });
}
const server = createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, maxPayload: 1024 * 1024 });
wss.on('connection', (ws, req) => {
  const room = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? '';
  let set = rooms.get(room);
  if (!set) rooms.set(room, (set = new Set()));
  set.add(ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = String(data);
    if (pub) void pub.publish('raw-rooms', `${room}\n${text}`);
    else deliver(room, text);
  });
  ws.on('close', () => set.delete(ws));
});
// The rooms bench has each server collect its garbage before it reads its memory (it starts them with --expose-gc).
process.on('message', (m) => {
  if (m !== 'gc') return;
  globalThis.gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.send?.({ url: `http://127.0.0.1:${addr.port}` });
});
