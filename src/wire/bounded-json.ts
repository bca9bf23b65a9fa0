/**
 * How deep a JSON body may nest: CPython's json and Jackson both stop near 1000 levels, and the
 * doors' own writers (the 422 echo of an input, Python's json.dumps) recurse over what they read.
 */
export const MAX_JSON_DEPTH = 1000;

/** JSON nested deeper than MAX_JSON_DEPTH: a SyntaxError, so each door answers it as its bad JSON. */
export class JsonTooDeep extends SyntaxError {}

/** Nesting depth of JSON text, counted without recursion (brackets inside strings do not count). */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: the next character is escaped
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

/** JSON.parse, refusing (JsonTooDeep) text that nests deeper than MAX_JSON_DEPTH. */
export function parseJson(text: string): unknown {
  if (depthOf(text) > MAX_JSON_DEPTH) throw new JsonTooDeep(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return JSON.parse(text);
}
