import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { UpgradeWebSocket } from 'hono/ws';
import type { Services } from '../services/index.js';
import { CLOSE_TOO_BIG, type LegacyWorkerSocket } from '../services/judge/legacy-worker.js';
import { judgeErrorResponse } from './judge-wire.js';

/**
 * GET /api/websocket: the original judge workers' socket (spec 004's server, carp_oj_server
 * WebsocketConfig + HandshakeInterceptor). The handshake is refused with the judge API's own
 * error answer (403 not logged in / not a WORKER, 409 a socket already open for that worker)
 * before anything is upgraded; the protocol itself lives in services.judge.legacyWorkers.
 */
export function judgeWebSocket(services: Services, upgradeWebSocket: UpgradeWebSocket | undefined) {
  const hub = services.judge.legacyWorkers;
  return async (c: Context) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return c.text('Can "Upgrade" only to "WebSocket".', 400);
    if (!upgradeWebSocket) return c.text('WebSockets are not served by this host', 501);
    let worker;
    try {
      worker = hub.admit(await services.sessions.resolve(getCookie(c, 'JSESSIONID')));
    } catch (err) {
      return judgeErrorResponse(c, err);
    }
    let socket: LegacyWorkerSocket | null = null;
    let tooBig = false;
    return upgradeWebSocket(c, {
      onOpen: (_e, ws) => {
        socket = hub.connect(worker, { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) });
      },
      onMessage: (e) => socket?.message(typeof e.data === 'string' ? e.data : null),
      // A frame over the host's limit: ws closes with 1009 but stops reading, so its close event
      // says 1006; its error names the cause.
      onError: (e) => {
        if ((e as ErrorEvent).error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') tooBig = true;
      },
      onClose: (e) => void socket?.close(tooBig ? CLOSE_TOO_BIG : e.code),
    });
  };
}
