import { PyDict, pyPformat, pyRepr, pyUnicodeRepr, type PyValue } from './py2.js';

/**
 * The input schemas of spec 000 and the part of jsonschema 3.2 (Draft 7, what Tornado-JSON
 * 1.3.4 installed on Python 2) that checks them, so a violation is answered with the original's
 * text: `str(best_match(errors))`, e.g.
 *
 *   u'username' is a required property
 *
 *   Failed validating u'required' in schema:
 *       {u'properties': {...},
 *        u'required': [u'username', u'password'],
 *        u'type': u'object'}
 *
 *   On instance:
 *       {}
 */

type Schema = PyDict;

function dict(entries: [string, PyValue][]): PyDict {
  const d = new PyDict();
  for (const [k, v] of entries) d.map.set(k, v);
  return d;
}

const typed = (t: string) => dict([['type', t]]);

// Entries are listed in CPython 2.7's iteration order of the original's dict literals (what
// jsonschema walked); pformat sorts keys, so the printed schema does not depend on it.
export const CREATE_USER = dict([
  ['required', ['username', 'password']],
  ['type', 'object'],
  [
    'properties',
    dict([
      ['username', typed('string')],
      ['first_name', typed('string')],
      ['last_name', typed('string')],
      ['contest_id', typed('integer')],
      ['timezone', typed('string')],
      ['password', typed('string')],
      ['preferred_languages', typed('string')],
      ['email', typed('string')],
    ]),
  ],
]);

export const CREATE_PARTICIPATION = dict([
  ['required', ['username', 'contest_id']],
  ['type', 'object'],
  [
    'properties',
    dict([
      ['username', typed('string')],
      ['contest_id', typed('integer')],
    ]),
  ],
]);

export const CREATE_SESSION = dict([
  ['required', ['username']],
  ['type', 'object'],
  [
    'properties',
    dict([
      ['username', typed('string')],
      ['contest_id', dict([['anyOf', [typed('integer'), typed('null')]]])],
    ]),
  ],
]);

interface SchemaError {
  message: string;
  validator?: string;
  validatorValue?: PyValue;
  instance?: PyValue;
  schema?: Schema;
  path: (string | number)[];
  schemaPath: (string | number)[];
  context: SchemaError[];
}

/** Draft 7's types, on Python values: an integer is an int, or a float with no fraction. */
function isType(v: PyValue, type: string): boolean {
  switch (type) {
    case 'object':
      return v instanceof PyDict;
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
    case 'null':
      return v === null;
    default:
      return false;
  }
}

const newError = (message: string, context: SchemaError[] = []): SchemaError => ({ message, path: [], schemaPath: [], context });

function* iterErrors(instance: PyValue, schema: Schema): Generator<SchemaError> {
  for (const [k, v] of schema.map) {
    const found: SchemaError[] = [];
    if (k === 'required' && instance instanceof PyDict) {
      for (const p of v as string[]) if (!instance.has(p)) found.push(newError(`${pyUnicodeRepr(p)} is a required property`));
    } else if (k === 'type') {
      if (!isType(instance, v as string)) found.push(newError(`${pyRepr(instance)} is not of type ${pyUnicodeRepr(v as string)}`));
    } else if (k === 'properties' && instance instanceof PyDict) {
      for (const [p, sub] of (v as PyDict).map) {
        if (!instance.has(p)) continue;
        for (const e of iterErrors(instance.get(p)!, sub as Schema)) {
          e.path.unshift(p);
          e.schemaPath.unshift(p);
          found.push(e);
        }
      }
    } else if (k === 'anyOf') {
      const all: SchemaError[] = [];
      let valid = false;
      for (const [index, sub] of (v as Schema[]).entries()) {
        const errs = [...iterErrors(instance, sub)];
        if (errs.length === 0) {
          valid = true;
          break;
        }
        for (const e of errs) e.schemaPath.unshift(index);
        all.push(...errs);
      }
      if (!valid) found.push(newError(`${pyRepr(instance)} is not valid under any of the given schemas`, all));
    }
    for (const e of found) {
      if (e.validator === undefined) Object.assign(e, { validator: k, validatorValue: v, instance, schema });
      e.schemaPath.unshift(k);
      yield e;
    }
  }
}

const WEAK = new Set(['anyOf', 'oneOf']);
/** jsonschema's relevance: shallower errors first, then anything but anyOf/oneOf. */
const relevance = (e: SchemaError): [number, number] => [-e.path.length, WEAK.has(e.validator!) ? 0 : 1];
const cmp = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

function bestMatch(errors: SchemaError[]): SchemaError | undefined {
  const first = errors[0];
  if (!first) return undefined;
  let best: SchemaError = first;
  for (const e of errors.slice(1)) if (cmp(relevance(e), relevance(best)) > 0) best = e; // first maximum
  while (best.context.length > 0) {
    let min: SchemaError = best.context[0]!;
    for (const e of best.context.slice(1)) if (cmp(relevance(e), relevance(min)) < 0) min = e;
    best = min;
  }
  return best;
}

const formatAsIndex = (indices: (string | number)[]) =>
  indices.length === 0 ? '' : `[${indices.map((i) => (typeof i === 'number' ? String(i) : pyUnicodeRepr(i))).join('][')}]`;
const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

function errorText(e: SchemaError): string {
  return (
    `${e.message}\n\nFailed validating ${pyUnicodeRepr(e.validator!)} in schema${formatAsIndex(e.schemaPath.slice(0, -1))}:\n` +
    `${indent(pyPformat(e.schema!))}\n\nOn instance${formatAsIndex(e.path)}:\n${indent(pyPformat(e.instance!))}`
  );
}

/** The original's 400 text for a body that breaks the schema, or null when it conforms. */
export function schemaViolation(instance: PyValue, schema: Schema): string | null {
  const best = bestMatch([...iterErrors(instance, schema)]);
  return best ? errorText(best) : null;
}
