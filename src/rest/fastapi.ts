import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ServiceError } from '../services/errors.js';
import { HTTP_STATUS_OF } from '../wire/http-status.js';
import { logFault } from '../observe/request-context.js';

/**
 * The training API's wire conventions, those of the original FastAPI server: errors as
 * `{"detail": "..."}`, and request validation as 422 with pydantic's (v2) list of errors
 * `{"detail": [{"type", "loc", "msg", "input"}]}`.
 */

export interface PydanticError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export type Where = 'path' | 'query' | 'body';

export class ValidationFailed extends Error {
  constructor(readonly errors: PydanticError[]) {
    super('validation failed');
  }
}

export const detail = (c: Context, status: ContentfulStatusCode, message: string, headers?: Record<string, string>) =>
  c.json({ detail: message }, status, headers);

export const NOT_AUTHENTICATED = 'Not authenticated';
export const INVALID_CREDENTIALS = 'Invalid authentication credentials';

/** What a thrown error answers: a service refusal as its status with `detail`, a validation failure as 422. */
export function fastapiError(c: Context, err: unknown): Response {
  if (err instanceof ValidationFailed) return c.json({ detail: err.errors }, 422);
  if (err instanceof ServiceError) return detail(c, HTTP_STATUS_OF[err.kind], err.message);
  if (err instanceof BodyUnreadable) return detail(c, 400, err.message);
  logFault(c.req.raw, err);
  return c.text('Internal Server Error', 500);
}

/** A UUID in any case, as Python's UUID() reads one from a path (hyphenated form). */
const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const uuidParam = () =>
  z.string().regex(UUID_TEXT, { error: 'pydantic:uuid_parsing' }).meta({ format: 'uuid', example: '04d3f707-ed68-4b2d-a91a-0ae200c5c7d3' });
/** A positive integer id (path or query: the text is read as an int first, as FastAPI does). */
export const intParam = () => z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * A body field the original declared `str` that holds an id (`team_id: str`): a string, as the
 * original took it, or an integer, as the gateway's own clients send it; anything else (null, a
 * list, a float, a boolean) is pydantic's `string_type`. What the text names is the service's call.
 */
export const strIdField = () =>
  z.union([z.string(), z.int()], { error: 'pydantic:string_type' }).meta({
    description: 'A string, as the original declared it (an integer is accepted too)',
    example: '3',
  });

/** pydantic's words for the error types zod schemas name by message (`pydantic:<type>`). */
const PYDANTIC_MSG: Record<string, string> = {
  uuid_parsing: 'Input should be a valid UUID, invalid length',
  string_type: 'Input should be a valid string',
};

function baseType(schema: z.ZodType): string {
  let s = schema as z.ZodType & { def: { type: string; innerType?: z.ZodType } };
  while ((s.def.type === 'optional' || s.def.type === 'default' || s.def.type === 'nullable') && s.def.innerType) {
    s = s.def.innerType as typeof s;
  }
  return s.def.type;
}

/** Path and query values are text: an integer field takes the text of an integer (as pydantic's int parsing). */
function coerceText(schema: z.ZodObject, raw: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const field = schema.shape[key] as z.ZodType | undefined;
    out[key] = field && baseType(field) === 'number' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value.trim()) : value;
  }
  return out;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** One zod issue as pydantic v2 words it. */
function toPydantic(issue: z.core.$ZodIssue, where: Where, root: unknown, text: boolean): PydanticError {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const loc = [where, ...path];
  const input = valueAt(root, issue.path);
  if (issue.message.startsWith('pydantic:')) {
    if (input === undefined) return { type: 'missing', loc, msg: 'Field required', input: valueAt(root, issue.path.slice(0, -1)) ?? null };
    const type = issue.message.slice('pydantic:'.length);
    return { type, loc, msg: PYDANTIC_MSG[type] ?? 'Input is not valid', input };
  }
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return { type: 'missing', loc, msg: 'Field required', input: valueAt(root, issue.path.slice(0, -1)) ?? null };
      const expected = issue.expected as string;
      if (expected === 'number' || expected === 'int') {
        return text || typeof input === 'string'
          ? { type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input }
          : { type: 'int_type', loc, msg: 'Input should be a valid integer', input };
      }
      if (expected === 'file') {
        // FastAPI's UploadFile validator, on a plain form field.
        return {
          type: 'value_error',
          loc,
          msg: `Value error, Expected UploadFile, received: <class '${typeof input === 'string' ? 'str' : typeof input}'>`,
          input,
        };
      }
      if (expected === 'string') return { type: 'string_type', loc, msg: 'Input should be a valid string', input };
      if (expected === 'array') return { type: 'list_type', loc, msg: 'Input should be a valid list', input };
      if (expected === 'object') {
        return { type: 'model_attributes_type', loc, msg: 'Input should be a valid dictionary or object to extract fields from', input };
      }
      return { type: `${expected}_type`, loc, msg: `Input should be a valid ${expected}`, input };
    }
    case 'too_small':
      if (issue.origin === 'string') {
        const n = Number(issue.minimum);
        return {
          type: 'string_too_short',
          loc,
          msg: `String should have at least ${n} character${n === 1 ? '' : 's'}`,
          input,
          ctx: { min_length: n },
        };
      }
      if (issue.origin === 'array') {
        return { type: 'too_short', loc, msg: `List should have at least ${issue.minimum} items`, input, ctx: { min_length: Number(issue.minimum) } };
      }
      return {
        type: 'greater_than_equal',
        loc,
        msg: `Input should be greater than or equal to ${issue.minimum}`,
        input,
        ctx: { ge: Number(issue.minimum) },
      };
    case 'too_big':
      if (issue.origin === 'string') {
        const n = Number(issue.maximum);
        return { type: 'string_too_long', loc, msg: `String should have at most ${n} character${n === 1 ? '' : 's'}`, input, ctx: { max_length: n } };
      }
      if (issue.origin === 'array') {
        return { type: 'too_long', loc, msg: `List should have at most ${issue.maximum} items`, input, ctx: { max_length: Number(issue.maximum) } };
      }
      return {
        type: 'less_than_equal',
        loc,
        msg: `Input should be less than or equal to ${issue.maximum}`,
        input,
        ctx: { le: Number(issue.maximum) },
      };
    default:
      return { type: 'value_error', loc, msg: issue.message, input };
  }
}

/** Parses path or query text, or a JSON body, against a schema; a failure throws pydantic's errors. */
export function validate<S extends z.ZodType>(schema: S, where: Where, raw: unknown): z.output<S> {
  const text = where !== 'body';
  const value = text ? coerceText(schema as unknown as z.ZodObject, raw as Record<string, string | undefined>) : raw;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ValidationFailed(r.error.issues.map((i) => toPydantic(i, where, value, text)));
}

/** A body that is not JSON: pydantic's json_invalid. */
export const jsonInvalid = (error: string) =>
  new ValidationFailed([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error } }]);

/** A body FastAPI's reader failed on other than by a JSONDecodeError (Python's RecursionError on deep JSON): its 400. */
export class BodyUnreadable extends Error {
  constructor() {
    super('There was an error parsing the body');
  }
}

/** The FastAPI error documents, for OpenAPI. */
export const DetailSchema = z.object({ detail: z.string() }).meta({ id: 'HTTPError', description: 'An error: `{"detail": "..."}`' });
export const ValidationErrorSchema = z
  .object({
    detail: z.array(
      z.object({
        type: z.string(),
        loc: z.array(z.union([z.string(), z.int()])),
        msg: z.string(),
        input: z.unknown(),
        ctx: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
  })
  .meta({ id: 'HTTPValidationError', description: "422: pydantic's list of validation errors" });
