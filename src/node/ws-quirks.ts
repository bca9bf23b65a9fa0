import { upgradeWebSocket as nodeUpgradeWebSocket, type WebSocketLike } from '@hono/node-server';
import type { Context } from 'hono';
import { defineWebSocketHelper } from 'hono/ws';
import type { WebSocket } from 'ws';
import { CloseCode } from '../rooms/close-codes.js';
import type { SocketQuirks } from '../rooms/host.js';

/** What `ws` (the sockets @hono/node-server hands over) says beyond the Web WebSocket shape. */
export const wsQuirks: SocketQuirks = {
  bufferedBytes: (ws) => (ws.raw as WebSocket | undefined)?.bufferedAmount ?? 0,
  // A frame over maxPayload: ws closes with 1009 but stops reading, so its close event says
  // 1006; its error names the cause.
  closeCodeOf: (e) => ((e as ErrorEvent).error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? CloseCode.TOO_BIG : null),
};

/**
 * @hono/node-server's upgradeWebSocket, handed a stand-in for the Context: its socket listeners
 * close over what they are given, and the whole Context (the handshake's Request, Response,
 * request log record) would stay with every open socket. The stand-in holds what it reads: the
 * env (its handshake hooks, and the IncomingMessage it keeps too), the URL and the upgrade header.
 */
export const upgradeWebSocket = defineWebSocketHelper<WebSocketLike>((c, events, options) => {
  const { url } = c.req;
  const upgrade = c.req.header('upgrade');
  const handshake = {
    env: c.env,
    req: {
      url,
      header(name: string) {
        // Its own upgrade check; a header it reads beyond that must be added here, not guessed.
        if (name.toLowerCase() !== 'upgrade') throw new Error(`upgradeWebSocket reads header ${name}: hand it over in ws-quirks.ts`);
        return upgrade;
      },
    },
  };
  return nodeUpgradeWebSocket(handshake as unknown as Context, events, options);
});
