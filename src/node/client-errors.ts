import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node refuses before the app sees them. A request line or headers over Node's limit
 * (16 KiB: a long GET batch of tRPC calls) is answered 431 with a body that says why, as a tRPC
 * error under /trpc (what its clients read); every other malformed request as Node does by itself.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    // A reset peer reads nothing; a request whose answer already started cannot get another.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || !socket.writable || answering) return void socket.destroy();
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      const trpc = /^[A-Z]+ \/trpc\//.test(err.rawPacket?.subarray(0, 64).toString('latin1') ?? '');
      const message = 'Request URL or headers too long (16 KiB at most)';
      const body = trpc
        ? JSON.stringify({
            error: { message: `${message}: send a long batch by POST`, code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 431 } },
          })
        : message;
      const type = trpc ? 'application/json' : 'text/plain; charset=utf-8';
      return void socket.end(
        `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    // Node's own answers when nobody listens: 408 for a request that timed out, else 400.
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });
}
