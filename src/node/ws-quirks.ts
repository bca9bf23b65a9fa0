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
