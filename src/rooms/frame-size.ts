/** The largest frame a room socket takes, on every host (Node's `ws` maxPayload): 1 MiB. */
export const MAX_FRAME_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/** A frame's size in bytes (a string's UTF-8 length, encoded only when its length leaves it in doubt). */
export function frameBytes(data: unknown): number {
  if (typeof data === 'string') {
    // A UTF-16 unit is 1 to 3 UTF-8 bytes (a surrogate pair: 2 units, 4 bytes).
    if (data.length > MAX_FRAME_BYTES || data.length * 3 <= MAX_FRAME_BYTES) return data.length;
    return encoder.encode(data).length;
  }
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof Blob) return data.size;
  return 0;
}
