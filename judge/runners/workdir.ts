import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Gives a work dir (recursively) to the uid/gid the sandboxed program runs as, so it can
 * write there. Never follows symbolic links (a previous run may have planted some).
 */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  const st = await lstat(dir);
  if (st.isSymbolicLink()) throw new Error(`work dir ${dir} is a symbolic link`);
  const walk = async (p: string, isDir: boolean): Promise<void> => {
    await lchown(p, uid, gid);
    if (!isDir) return;
    for (const e of await readdir(p, { withFileTypes: true })) {
      await walk(join(p, e.name), e.isDirectory());
    }
  };
  await walk(dir, st.isDirectory());
}

/** Whether this process can give files away (root, or CAP_CHOWN). */
export function canChown(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
