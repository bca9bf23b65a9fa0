import { assertBlobKey, type BlobStore } from '../blob/store.js';
import { Deno } from './runtime.js';

/** BLOB_DIR through Deno's file APIs, as src/node/blob-fs.ts: writes go through a temp file and a rename. */
export function fsBlobStore(root: string): BlobStore {
  const base = (root.startsWith('/') ? root : `${Deno.cwd()}/${root}`).replace(/\/+$/, '');
  // assertBlobKey refuses `..` and anything outside its alphabet, so a key stays under base.
  const pathOf = (key: string) => {
    assertBlobKey(key);
    return `${base}/${key}`;
  };
  return {
    async put(key, data) {
      const p = pathOf(key);
      await Deno.mkdir(p.slice(0, p.lastIndexOf('/')), { recursive: true });
      const tmp = `${p}.${crypto.randomUUID()}.tmp`;
      await Deno.writeFile(tmp, data);
      await Deno.rename(tmp, p);
    },
    async get(key) {
      try {
        return await Deno.readFile(pathOf(key));
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return null;
        throw err;
      }
    },
    async delete(key) {
      try {
        await Deno.remove(pathOf(key));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    },
  };
}
