import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Whether this process may mount (root); elsewhere a work dir is bounded per file only (RLIMIT_FSIZE). */
export function canMount(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

/**
 * Mounts a tmpfs of `sizeMb` over the empty folder `dir`, so a run cannot put more than that on
 * the host whatever it writes in its work dir (both sandboxes bind the folder as it is). A
 * solver's writes there are also charged to its memory cgroup. False where we may not mount.
 */
export async function mountBoundedDir(dir: string, sizeMb: number): Promise<boolean> {
  if (!canMount()) return false;
  await exec('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(sizeMb)}m,mode=0700,nosuid,nodev`, 'tmpfs', dir]);
  return true;
}

/** Unmounts `dir` (lazily: a process of the run may still be leaving it). */
export async function unmountDir(dir: string): Promise<void> {
  await exec('umount', ['--lazy', dir]);
}

/** Mount points at or below `root` (from /proc/self/mounts), deepest first. */
export async function mountsUnder(root: string): Promise<string[]> {
  const text = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((p): p is string => p !== undefined && (p === root || p.startsWith(`${root}/`)));
  return points.sort((a, b) => b.length - a.length);
}
