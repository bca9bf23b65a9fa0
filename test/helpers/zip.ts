import { zipSync, strToU8 } from 'fflate';

/** A real zip archive from a map of paths to text, base64-encoded as the judge API takes it. */
export function zipBase64(files: Record<string, string | Uint8Array>): string {
  const entries = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? strToU8(v) : v]));
  return Buffer.from(zipSync(entries)).toString('base64');
}

export const GOOD_SOLVER = 'import sys\nprint("s 0,(1,2),0")\nprint("q 1")\n';
