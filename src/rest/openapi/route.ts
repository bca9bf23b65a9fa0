import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseDoc {
  description: string;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  schema?: z.ZodType;
}

/**
 * One route as the OpenAPI document shows it: its path (OpenAPI style, `/a/{id}`), method,
 * parameters and bodies as zod schemas, its answers. The training API's router is built from
 * these (src/rest/training.ts); the older APIs are described by them (one module each here).
 */
export interface RouteDoc {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  cookies?: z.ZodObject;
  body?: { contentType: string; schema: z.ZodType; required?: boolean };
  responses: Record<number, ResponseDoc>;
  /** Names of the document's security schemes that open this route (any one of them). */
  security?: string[];
}

/** The OpenAPI path of a Hono path (`/a/:id` -> `/a/{id}`), and back. */
export const toOpenApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
export const toHonoPath = (openApiPath: string) => openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');

function operation(r: RouteDoc, operationIds: Set<string>): ZodOpenApiOperationObject {
  let id = `${r.method}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`;
  while (operationIds.has(id)) id += '_';
  operationIds.add(id);
  const op: ZodOpenApiOperationObject = {
    operationId: id,
    tags: [r.tag],
    summary: r.summary,
    responses: Object.fromEntries(
      Object.entries(r.responses).map(([status, res]) => [
        status,
        res.schema
          ? { description: res.description, content: { [res.contentType ?? 'application/json']: { schema: res.schema } } }
          : { description: res.description },
      ]),
    ),
  };
  if (r.description) op.description = r.description;
  if (r.params || r.query || r.headers || r.cookies) {
    op.requestParams = {};
    if (r.params) op.requestParams.path = r.params;
    if (r.query) op.requestParams.query = r.query;
    if (r.headers) op.requestParams.header = r.headers;
    if (r.cookies) op.requestParams.cookie = r.cookies;
  }
  if (r.body) op.requestBody = { required: r.body.required ?? true, content: { [r.body.contentType]: { schema: r.body.schema } } };
  if (r.security) op.security = r.security.map((name) => ({ [name]: [] }));
  return op;
}

/** The `paths` object of a set of routes. */
export function pathsOf(routes: RouteDoc[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  const ids = new Set<string>();
  for (const r of routes) {
    const item = (paths[r.path] ??= {});
    if (item[r.method]) throw new Error(`OpenAPI: ${r.method.toUpperCase()} ${r.path} described twice`);
    item[r.method] = operation(r, ids);
  }
  return paths;
}
