// Python's `json.dumps`, as the originals wrote JSON: shared by the doors and the room actors
// that speak a Python original's wire (spec 003's REST envelope and marking sockets, spec 002's
// quiz answers). Pure, runtime-neutral.

const hex4 = (n: number) => n.toString(16).padStart(4, '0');
/** Python's ensure_ascii: everything outside ' '..'~' (DEL too) as \uXXXX, surrogates as pairs. */
const ensureAscii = (json: string) => json.replace(/[\u007f-\uffff]/g, (ch) => `\\u${hex4(ch.charCodeAt(0))}`);

/**
 * Python's json.dumps with its defaults, as Django's JsonResponse wrote them: `", "` and `": "`
 * separators, keys in insertion order, everything outside ASCII as \uXXXX (lower-case hex,
 * surrogate pairs for astral characters).
 */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return ensureAscii(JSON.stringify(value));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`).join(', ')}}`;
}

/**
 * Python 2's `json.dumps(..., separators=(',', ':'))`, as spec 002's quiz service wrote it:
 * compact, non-ASCII as \uXXXX, keys in insertion order.
 */
export function pyJsonCompact(value: unknown): string {
  return ensureAscii(JSON.stringify(value));
}
