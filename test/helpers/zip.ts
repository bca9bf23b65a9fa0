import { deflateSync, strToU8, zipSync } from 'fflate';

/** A real zip archive from a map of paths to text, base64-encoded as the judge API takes it. */
export function zipBase64(files: Record<string, string | Uint8Array>): string {
  const entries = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? strToU8(v) : v]));
  return Buffer.from(zipSync(entries)).toString('base64');
}

export const GOOD_SOLVER = 'import sys\nprint("s 0,(1,2),0")\nprint("q 1")\n';

export interface RawZipEntry {
  /** Stored byte for byte in both headers: no normalisation, so `../x` and `/etc/x` stay as written. */
  name: string;
  data?: string | Uint8Array;
  /** Unix mode for the central directory's external attributes (version-made-by 3 = unix). */
  unixMode?: number;
  /** 0 stored (default) or 8 deflated. */
  method?: 0 | 8;
  /** Overrides the sizes written in the headers (to lie about them). */
  declaredSize?: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip written byte by byte, for archives an archiver would refuse to make. */
export function rawZip(entries: RawZipEntry[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const plain = typeof e.data === 'string' ? strToU8(e.data) : (e.data ?? new Uint8Array());
    const method = e.method ?? 0;
    const body = method === 8 ? deflateSync(plain) : plain;
    const crc = crc32(plain);
    const size = e.declaredSize ?? plain.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, Buffer.from(body));
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(e.unixMode === undefined ? 0 : (e.unixMode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

/** The entry names a zip's central directory really holds (to check a hand-made archive). */
export function zipEntryNames(zip: Uint8Array): string[] {
  const b = Buffer.from(zip);
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = b.readUInt16LE(p + 28);
    names.push(b.toString('utf8', p + 46, p + 46 + n));
    p += 46 + n + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return names;
}

export const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
