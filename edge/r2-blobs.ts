import { assertBlobKey, type BlobStore } from '../src/blob/store.js';

/** The part of an R2 bucket binding the blob store uses. */
export interface R2BucketLike {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  delete(key: string): Promise<void>;
}

/** Blobs in an R2 bucket at the edge, behind the same interface as the files on Node. */
export function r2BlobStore(bucket: R2BucketLike): BlobStore {
  return {
    async put(key, data) {
      assertBlobKey(key);
      await bucket.put(key, data);
    },
    async get(key) {
      assertBlobKey(key);
      const obj = await bucket.get(key);
      return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
    },
    async delete(key) {
      assertBlobKey(key);
      await bucket.delete(key);
    },
  };
}
