import { Inflate } from 'fflate';

/** Limits on what a submitted solver archive may unpack to. */
export interface ArchiveLimits {
  maxEntries: number;
  maxUnpackedBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 256, maxUnpackedBytes: 8 * 1024 * 1024 };

export const SOLVER_FILE = 'CARP_solver.py';

interface ArchiveFile {
  /** Relative path inside the solver directory (the archive root, or its single top folder). */
  path: string;
  data: Uint8Array;
}

export type ArchiveResult = { ok: true; files: ArchiveFile[] } | { ok: false; message: string };

export const ARCHIVE_INVALID = 'Invalid zip archive!';
const ARCHIVE_NO_SOLVER = 'No CARP_solver.py found!';
const ARCHIVE_UNSAFE_PATH = 'Unsafe path in zip archive!';
const ARCHIVE_TOO_LARGE = 'Zip archive unpacks too large!';

class ArchiveError extends Error {}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  isLink: boolean;
  isDir: boolean;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

function findEndOfCentralDirectory(b: Uint8Array): number {
  // The EOCD record is 22 bytes plus a comment of at most 65535 bytes.
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (u32(b, i) === 0x06054b50) return i;
  }
  throw new ArchiveError(ARCHIVE_INVALID);
}

/** Reads the central directory: the only place that records unix modes (links). */
function readCentralDirectory(b: Uint8Array, limits: ArchiveLimits): CentralEntry[] {
  const eocd = findEndOfCentralDirectory(b);
  const count = u16(b, eocd + 10);
  const cdOffset = u32(b, eocd + 16);
  if (count > limits.maxEntries) throw new ArchiveError(ARCHIVE_TOO_LARGE);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const entries: CentralEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || u32(b, p) !== 0x02014b50) throw new ArchiveError(ARCHIVE_INVALID);
    const madeBy = u16(b, p + 4) >> 8;
    const nameLen = u16(b, p + 28);
    const extraLen = u16(b, p + 30);
    const commentLen = u16(b, p + 32);
    const external = u32(b, p + 38);
    const name = decoder.decode(b.subarray(p + 46, p + 46 + nameLen));
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    entries.push({
      name,
      flags: u16(b, p + 8),
      method: u16(b, p + 10),
      compressedSize: u32(b, p + 20),
      uncompressedSize: u32(b, p + 24),
      localOffset: u32(b, p + 42),
      isLink: (unixMode & 0o170000) === 0o120000,
      isDir: name.endsWith('/'),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Normalises an entry name; rejects absolute, drive-letter, backslash and `..` paths. */
function safeRelativePath(name: string): string {
  if (name.length === 0 || name.length > 255 || name.includes('\0')) throw new ArchiveError(ARCHIVE_UNSAFE_PATH);
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name)) throw new ArchiveError(ARCHIVE_UNSAFE_PATH);
  const parts = name.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) throw new ArchiveError(ARCHIVE_UNSAFE_PATH);
  return parts.join('/');
}

/** Inflates in small pushes so a zip bomb is stopped at the budget, not after it filled memory. */
function inflateBounded(data: Uint8Array, budget: { left: number }): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflater = new Inflate((chunk) => {
    size += chunk.length;
    budget.left -= chunk.length;
    if (budget.left < 0) throw new ArchiveError(ARCHIVE_TOO_LARGE);
    chunks.push(chunk);
  });
  const step = 1024;
  for (let i = 0; i < data.length; i += step) {
    inflater.push(data.subarray(i, i + step), i + step >= data.length);
  }
  if (data.length === 0) inflater.push(data, true);
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function entryData(b: Uint8Array, e: CentralEntry, budget: { left: number }): Uint8Array {
  const lh = e.localOffset;
  if (lh + 30 > b.length || u32(b, lh) !== 0x04034b50) throw new ArchiveError(ARCHIVE_INVALID);
  if (e.flags & 1) throw new ArchiveError(ARCHIVE_INVALID); // encrypted
  const start = lh + 30 + u16(b, lh + 26) + u16(b, lh + 28);
  const end = start + e.compressedSize;
  if (end > b.length) throw new ArchiveError(ARCHIVE_INVALID);
  const raw = b.subarray(start, end);
  if (e.method === 0) {
    budget.left -= raw.length;
    if (budget.left < 0) throw new ArchiveError(ARCHIVE_TOO_LARGE);
    return raw.slice();
  }
  if (e.method === 8) {
    try {
      return inflateBounded(raw, budget);
    } catch (err) {
      if (err instanceof ArchiveError) throw err;
      throw new ArchiveError(ARCHIVE_INVALID);
    }
  }
  throw new ArchiveError(ARCHIVE_INVALID);
}

/**
 * Checks a solver archive and returns its files relative to the solver directory:
 * `CARP_solver.py` at the root, or inside the archive's single top folder.
 */
export function readSolverArchive(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): ArchiveResult {
  try {
    const entries = readCentralDirectory(bytes, limits);
    const declared = entries.reduce((s, e) => s + e.uncompressedSize, 0);
    if (declared > limits.maxUnpackedBytes) throw new ArchiveError(ARCHIVE_TOO_LARGE);
    const budget = { left: limits.maxUnpackedBytes };
    const files: ArchiveFile[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      const path = safeRelativePath(e.name);
      if (e.isLink) throw new ArchiveError(ARCHIVE_UNSAFE_PATH);
      if (e.isDir || path === '') continue;
      if (seen.has(path)) throw new ArchiveError(ARCHIVE_INVALID);
      seen.add(path);
      files.push({ path, data: entryData(bytes, e, budget) });
    }
    // A file that is also a folder of another (`a` and `a/b`) cannot be unpacked: refused here,
    // at submit, not found out by the judge after the submission was counted.
    for (const f of files) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) if (seen.has(parts.slice(0, i).join('/'))) throw new ArchiveError(ARCHIVE_INVALID);
    }
    const root = solverRoot(files.map((f) => f.path));
    if (root === null) return { ok: false, message: ARCHIVE_NO_SOLVER };
    const prefix = root === '' ? '' : `${root}/`;
    return {
      ok: true,
      files: files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ path: f.path.slice(prefix.length), data: f.data })),
    };
  } catch (err) {
    if (err instanceof ArchiveError) return { ok: false, message: err.message };
    return { ok: false, message: ARCHIVE_INVALID };
  }
}

function solverRoot(paths: string[]): string | null {
  if (paths.includes(SOLVER_FILE)) return '';
  // macOS archivers add a __MACOSX/ folder of resource forks beside the real one.
  const tops = new Set(paths.filter((p) => !p.startsWith('__MACOSX/')).map((p) => p.split('/')[0]!));
  if (tops.size !== 1) return null;
  const [top] = tops;
  return paths.includes(`${top}/${SOLVER_FILE}`) ? top! : null;
}
