/** Where archives and images live: files on Node, R2 or similar at the edge. */
export interface BlobStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}

// Keys are built by services, never taken from clients; this guard keeps it that way.
const KEY = /^[a-z0-9]+(?:\/[a-z0-9][a-z0-9._-]*)*$/;

export function assertBlobKey(key: string): void {
  if (!KEY.test(key) || key.includes('..')) throw new Error(`Invalid blob key: ${key}`);
}
