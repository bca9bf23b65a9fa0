import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountsUnder, unmountDir } from './bounded-dir.js';
import { isAlive } from './runners/spawn.js';

const PREFIX = 'arena-judge-';

/** Removes a judge's folder, first unmounting the tmpfs work dirs a dead run left mounted in it. */
async function removeFolder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) await unmountDir(point);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * The folder this judge process unpacks solvers in: `<tmp>/arena-judge-<pid>`. A judge killed
 * mid-run (SIGKILL, a crash) cannot clean its case's work dir, so each judge, when it starts,
 * removes the folders of judges that are no longer alive; its own goes when it stops.
 */
export async function claimWorkRoot(base: string = tmpdir()): Promise<{ dir: string; removed: string[]; release(): Promise<void> }> {
  const removed: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const pid = Number(name.slice(PREFIX.length));
    if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    await removeFolder(join(base, name));
    removed.push(name);
  }
  const dir = join(base, `${PREFIX}${process.pid}`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  return { dir, removed, release: () => removeFolder(dir) };
}
