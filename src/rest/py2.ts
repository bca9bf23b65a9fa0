/**
 * Python 2.7 value semantics, as far as the contest integration API's original server (Tornado
 * on CPython 2.7, UCS-4 build) showed them on the wire: `json.loads` (ints vs floats, NaN and
 * Infinity, strict strings), `json.dumps` (", " / ": " separators, ASCII escapes, float repr),
 * `repr` (u'...' strings, L longs, dicts in hash-table order) and `pprint.pformat`, which
 * jsonschema's error texts are made of. Pure functions, runtime-neutral.
 */

/** A decoded JSON value: ints are bigint (Py int/long), floats are number (Py float). */
export type PyValue = null | boolean | string | bigint | number | PyValue[] | PyDict;

/** A Python dict built by json.loads: keys in insertion order; `pyDictOrder` gives CPython's iteration order. */
export class PyDict {
  readonly map = new Map<string, PyValue>();
  get(key: string): PyValue | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

export class PyJsonError extends Error {}

const MAX_DEPTH = 512;

/** CPython 2.7's json.loads on text already decoded from UTF-8; throws PyJsonError where it raised ValueError. */
export function pyJsonLoads(text: string): PyValue {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new PyJsonError(`${what} at ${i}`);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const hex4 = (at: number): number => {
    if (at + 4 > n) fail('Invalid \\uXXXX escape');
    const h = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('Invalid \\uXXXX escape');
    return parseInt(h, 16);
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= n) fail('Unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return out;
      }
      if (c < 0x20) fail('Invalid control character');
      if (c !== 0x5c) {
        out += text[i++];
        continue;
      }
      const e = text[i + 1];
      if (e === undefined) return fail('Unterminated string');
      if (e === 'u') {
        let cp = hex4(i + 2);
        i += 6;
        // A high surrogate escape followed by a low one is one character (UCS-4 build).
        if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < n && text[i] === '\\' && text[i + 1] === 'u') {
          const lo = hex4(i + 2);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
          }
        }
        out += String.fromCodePoint(cp);
        continue;
      }
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      const s = simple[e];
      if (s === undefined) fail('Invalid \\escape');
      out += s;
      i += 2;
    }
  };
  const num = (): bigint | number => {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 4096));
    if (!m) return fail('Expecting value');
    i += m[0].length;
    return m[1] !== undefined || m[2] !== undefined ? Number(m[0]) : BigInt(m[0]);
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('Too deep');
    if (i >= n) fail('Expecting value');
    const c = text[i]!;
    if (c === '"') return str();
    if (c === '{') {
      i++;
      const d = new PyDict();
      ws();
      if (text[i] === '}') {
        i++;
        return d;
      }
      for (;;) {
        if (text[i] !== '"') fail('Expecting property name');
        const k = str();
        ws();
        if (text[i] !== ':') fail("Expecting ':' delimiter");
        i++;
        ws();
        d.map.set(k, value(depth + 1));
        ws();
        if (text[i] === '}') {
          i++;
          return d;
        }
        if (text[i] !== ',') fail("Expecting ',' delimiter");
        i++;
        ws();
      }
    }
    if (c === '[') {
      i++;
      const a: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ']') {
          i++;
          return a;
        }
        if (text[i] !== ',') fail("Expecting ',' delimiter");
        i++;
        ws();
      }
    }
    for (const [word, v] of [
      ['null', null],
      ['true', true],
      ['false', false],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return num();
  };
  ws();
  const v = value(0);
  ws();
  if (i !== n) fail('Extra data');
  return v;
}

// ---- repr ----------------------------------------------------------------------------------

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** repr() of a Python float (the shortest repr, as json.dumps also writes it). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** repr() of a Python 2 unicode string (UCS-4 build). */
export function pyUnicodeRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = `u${quote}`;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x10000) out += `\\U${hex(cp, 8)}`;
    else if (cp >= 256) out += `\\u${hex(cp, 4)}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp >= 0x7f) out += `\\x${hex(cp, 2)}`;
    else out += ch;
  }
  return out + quote;
}

function scalarRepr(v: Exclude<PyValue, PyValue[] | PyDict>): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyUnicodeRepr(v);
  if (typeof v === 'bigint') return v < LONG_MIN || v > LONG_MAX ? `${v}L` : String(v);
  return pyFloatRepr(v);
}

/** CPython 2.7's unicode hash (no hash randomization), on a 64-bit build. */
function pyUnicodeHash(s: string): bigint {
  const cps = [...s].map((c) => BigInt(c.codePointAt(0)!));
  if (cps.length === 0) return 0n;
  let x = BigInt.asIntN(64, cps[0]! << 7n);
  for (const c of cps) x = BigInt.asIntN(64, (1000003n * x) ^ c);
  x = BigInt.asIntN(64, x ^ BigInt(cps.length));
  return x === -1n ? -2n : x;
}

const U64 = (v: bigint) => BigInt.asUintN(64, v);

/** The order CPython 2.7 iterates a dict whose distinct keys were inserted in `keys` order. */
export function pyDictOrder(keys: readonly string[]): string[] {
  let size = 8;
  let table: (string | null)[] = new Array(size).fill(null);
  const hashes = new Map<string, bigint>();
  const hashOf = (k: string) => {
    let h = hashes.get(k);
    if (h === undefined) hashes.set(k, (h = pyUnicodeHash(k)));
    return h;
  };
  const place = (t: (string | null)[], key: string): number => {
    const mask = BigInt(t.length - 1);
    const h = U64(hashOf(key));
    let i = h & mask;
    let slot = Number(i);
    let perturb = h;
    while (t[slot] !== null && t[slot] !== key) {
      i = U64((i << 2n) + i + perturb + 1n);
      perturb >>= 5n;
      slot = Number(i & mask);
    }
    return slot;
  };
  let used = 0;
  for (const key of keys) {
    const slot = place(table, key);
    if (table[slot] === key) continue;
    table[slot] = key;
    used++;
    if (used * 3 >= size * 2) {
      const minused = (used > 50000 ? 2 : 4) * used;
      let newSize = 8;
      while (newSize <= minused) newSize <<= 1;
      const old = table;
      table = new Array(newSize).fill(null);
      size = newSize;
      for (const k of old) if (k !== null) table[place(table, k)] = k;
    }
  }
  return table.filter((k): k is string => k !== null);
}

/** repr() of a decoded value, dicts in CPython's iteration order. */
export function pyRepr(v: PyValue): string {
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof PyDict) {
    return `{${pyDictOrder([...v.map.keys()])
      .map((k) => `${pyUnicodeRepr(k)}: ${pyRepr(v.map.get(k)!)}`)
      .join(', ')}}`;
  }
  return scalarRepr(v);
}

// ---- pprint --------------------------------------------------------------------------------

const byCodePoint = (a: string, b: string) => {
  const x = [...a];
  const y = [...b];
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const d = x[k]!.codePointAt(0)! - y[k]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

const sortedItems = (d: PyDict) => [...d.map.entries()].sort(([a], [b]) => byCodePoint(a, b));

/** pprint's _safe_repr: repr with dict keys sorted. */
function safeRepr(v: PyValue): string {
  if (Array.isArray(v)) return `[${v.map(safeRepr).join(', ')}]`;
  if (v instanceof PyDict)
    return `{${sortedItems(v)
      .map(([k, x]) => `${pyUnicodeRepr(k)}: ${safeRepr(x)}`)
      .join(', ')}}`;
  return scalarRepr(v);
}

/** pprint.pformat(v, width) of CPython 2.7 (indent 1, no depth limit). */
export function pyPformat(v: PyValue, width = 72): string {
  const format = (x: PyValue, indent: number, allowance: number): string => {
    const rep = safeRepr(x);
    if (rep.length <= width - 1 - indent - allowance) return rep;
    if (x instanceof PyDict && x.map.size > 0) {
      const ind = indent + 1;
      const parts = sortedItems(x).map(([k, val]) => {
        const krep = pyUnicodeRepr(k);
        return `${krep}: ${format(val, ind + krep.length + 2, allowance + 1)}`;
      });
      return `{${parts.join(`,\n${' '.repeat(ind)}`)}}`;
    }
    if (Array.isArray(x) && x.length > 0) {
      const ind = indent + 1;
      return `[${x.map((e) => format(e, ind, allowance + 1)).join(`,\n${' '.repeat(ind)}`)}]`;
    }
    return rep;
  };
  return format(v, 0, 0);
}

// ---- json.dumps ----------------------------------------------------------------------------

/** What the integration API writes: ints as bigint, floats as number, objects in key order. */
export type PyOut = null | boolean | string | bigint | number | PyOut[] | { [key: string]: PyOut };

function jsonString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e)
      out += `\\u${hex(c, 4)}`; // UTF-16 units: astral characters become pairs
    else out += s[k];
  }
  return `${out}"`;
}

/** Python 2's json.dumps with its defaults (separators ", " and ": ", ensure_ascii, float repr). */
export function pyJsonDumps(v: PyOut): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pyFloatRepr(v);
  }
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${jsonString(k)}: ${pyJsonDumps(x)}`)
    .join(', ')}}`;
}

/** Tornado's json_encode: json.dumps, then "</" escaped so the JSON is safe inside a <script>. */
export const tornadoJsonEncode = (v: PyOut) => pyJsonDumps(v).replace(/<\//g, '<\\/');
