import { defineWebSocketHelper, type UpgradeWebSocket, WSContext, type WSReadyState } from 'hono/ws';
import { CloseCode } from '../rooms/close-codes.js';
import { MAX_FRAME_BYTES, frameBytes } from '../rooms/frame-size.js';
import type { SocketQuirks } from '../rooms/host.js';
import { Deno } from './runtime.js';

/** What the adapter hands the room host's error listener for a frame over the limit. */
const TOO_BIG = new Error(`frame over ${MAX_FRAME_BYTES} bytes`);

/** What Deno's WebSocket says beyond the Web WebSocket shape. */
export const denoWsQuirks: SocketQuirks = {
  bufferedBytes: (ws) => (ws.raw as WebSocket | undefined)?.bufferedAmount ?? 0,
  closeCodeOf: (e) => ((e as ErrorEvent).error === TOO_BIG ? CloseCode.TOO_BIG : null),
};

export interface DenoSockets {
  upgradeWebSocket: UpgradeWebSocket<WebSocket>;
  /** Shutdown: every socket still open (a refused one mid-close, one not yet opened) closed. */
  closeAll(code: number, reason: string): void;
}

/**
 * Room sockets through Deno.upgradeWebSocket. Deno has no maxPayload option (its own message limit
 * lets a frame of several MiB through), so the adapter enforces Node's: a frame over 1 MiB is not
 * delivered, the socket is closed with 1009, and the host's error listener hears why (its close
 * event then carries whatever the client echoes).
 */
export function denoSockets(): DenoSockets {
  const open = new Set<WebSocket>();
  const upgradeWebSocket = defineWebSocketHelper<WebSocket>((c, events) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return;
    const protocol = c.req.header('sec-websocket-protocol')?.split(',')[0]?.trim();
    const { response, socket } = Deno.upgradeWebSocket(c.req.raw, protocol ? { protocol } : {});
    socket.binaryType = 'arraybuffer';
    open.add(socket);
    const ws = new WSContext<WebSocket>({
      close: (code, reason) => socket.close(code, reason),
      get protocol() {
        return socket.protocol;
      },
      raw: socket,
      get readyState() {
        return socket.readyState as WSReadyState;
      },
      url: socket.url ? new URL(socket.url) : null,
      send: (source) => socket.send(source),
    });
    let tooBig = false;
    socket.onopen = (e) => events.onOpen?.(e, ws);
    socket.onmessage = (e) => {
      if (tooBig) return;
      if (frameBytes(e.data) > MAX_FRAME_BYTES) {
        tooBig = true;
        events.onError?.(new ErrorEvent('error', { message: TOO_BIG.message, error: TOO_BIG }), ws);
        socket.close(CloseCode.TOO_BIG, 'Frame too big');
        return;
      }
      events.onMessage?.(e, ws);
    };
    socket.onclose = (e) => {
      open.delete(socket);
      events.onClose?.(e, ws);
    };
    socket.onerror = (e) => events.onError?.(e, ws);
    return response;
  });
  return {
    upgradeWebSocket,
    closeAll(code, reason) {
      for (const socket of open) if (socket.readyState <= WebSocket.OPEN) socket.close(code, reason);
    },
  };
}
