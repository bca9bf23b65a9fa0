import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readSolverArchive, ARCHIVE_INVALID, type ArchiveLimits } from '../src/carp/archive.js';
import { mountBoundedDir, unmountDir } from './bounded-dir.js';
import { INSTANCE_FILE } from './runners/types.js';

/** The submitted archive is unusable (the message is the one to show the submitter). */
export class SolverArchiveError extends Error {
  override readonly name = 'SolverArchiveError';
}

export interface UnpackedSolver {
  /** Absolute path of the work dir: the solver files and `data.dat`. */
  dir: string;
  /** Whether the dir is a tmpfs of the size asked for (only root may mount one). */
  bounded: boolean;
  /** Removes the work dir and everything the solver wrote there. */
  cleanup(): Promise<void>;
}

export interface UnpackOptions {
  archiveLimits?: ArchiveLimits;
  /** Size of the work dir in MB (a tmpfs mounted over it where this process may mount). */
  sizeMb?: number;
}

/**
 * Unpacks a solver archive into a fresh private directory (mkdtemp, mode 0700, owned by this
 * process' user) and writes the instance there as `data.dat`. The sandboxing runners hand the
 * directory to the uid the solver runs as just before each run (bwrap: a per-run uid;
 * docker: the container user), so it stays unreadable to every other host user.
 * With `sizeMb`, the directory is a tmpfs of that size (see `mountBoundedDir`).
 * Throws a {@link SolverArchiveError} with the archive reader's message for invalid archives.
 */
export async function unpackSolver(
  archiveBytes: Uint8Array,
  instanceText: string,
  baseDir: string = tmpdir(),
  opts: UnpackOptions = {},
): Promise<UnpackedSolver> {
  const archive = readSolverArchive(archiveBytes, opts.archiveLimits);
  if (!archive.ok) throw new SolverArchiveError(archive.message);
  const dir = await mkdtemp(join(resolve(baseDir), 'arena-solver-'));
  let bounded = false;
  let mounted = false;
  const cleanup = async () => {
    // Idempotent: the mount goes once, the folder with it.
    if (mounted) await unmountDir(dir);
    mounted = false;
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    if (opts.sizeMb !== undefined) bounded = await mountBoundedDir(dir, opts.sizeMb);
    mounted = bounded;
    for (const file of archive.files) {
      const target = resolve(dir, file.path);
      const rel = relative(dir, target);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new SolverArchiveError(ARCHIVE_INVALID);
      try {
        await mkdir(dirname(target), { recursive: true, mode: 0o755 });
        // 'wx': never through anything already there (the tree only holds what we wrote).
        await writeFile(target, file.data, { flag: 'wx', mode: 0o644 });
      } catch (e) {
        // e.g. both `a` and `a/b` in the archive
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw new SolverArchiveError(ARCHIVE_INVALID);
        throw e;
      }
    }
    // The instance wins over a file of the same name in the archive.
    const instance = join(dir, INSTANCE_FILE);
    await rm(instance, { recursive: true, force: true });
    await writeFile(instance, instanceText, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { dir, bounded, cleanup };
}
