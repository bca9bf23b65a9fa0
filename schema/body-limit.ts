import { createGraphQLError, type Plugin } from 'graphql-yoga';

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () => createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

/**
 * Bodies over `limit` bytes refused with 413 (yoga's own bound, in place of it): a body with a
 * Content-Length is bounded by the header alone, since every host's HTTP parser delivers no more
 * than it says; only a chunked one is counted as it is read. Yoga's counts every body through a
 * stream of its own, a tenth of a small query's cost.
 */
export function bodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!CONTENT_LENGTH.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(length) > limit) throw tooLarge();
        return;
      }
      const body = request.body;
      if (!requestParser || !body) return;
      // A native stream (at the edge) needs the native TransformStream, the ponyfill's its own.
      const Transform = body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
      let read = 0;
      const counted = body.pipeThrough(
        new Transform<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            read += chunk.byteLength;
            if (read > limit) controller.error(tooLarge());
            else controller.enqueue(chunk);
          },
        }),
      );
      const { url, method, headers, signal } = request;
      setRequestParser(() => requestParser(new fetchAPI.Request(url, { method, headers, signal, body: counted, duplex: 'half' } as RequestInit)));
    },
  };
}
