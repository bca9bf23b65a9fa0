import { consoleLogger, type Logger } from './logger.js';

/**
 * What the gateway knows of one request while it is served: its logger (bound to its request
 * id), the client's address (the host says which: the socket's peer on Node, CF's header at the
 * edge) and the user a door resolved. Keyed by the Request object, which every door (Hono routers, yoga,
 * tRPC, socket upgrades) receives as is, and gone with it.
 */
interface RequestRecord {
  /** The gateway's log and this request's id: a child logger is made only for a fault (most requests have none). */
  log: Logger;
  reqId: string;
  address: string | undefined;
  userId?: string;
}

const records = new WeakMap<Request, RequestRecord>();

/** What a host says when it cannot tell the client's address: no address, not one shared by every such client. */
export const UNKNOWN_ADDRESS = 'unknown';

export function beginRequest(req: Request, log: Logger, reqId: string, address: string): void {
  records.set(req, { log, reqId, address: address === UNKNOWN_ADDRESS ? undefined : address });
}

/** The client's address, for the limits that count per client (undefined outside a request). */
export function requestAddress(req: Request): string | undefined {
  return records.get(req)?.address;
}

/** Where a fault outside any logged request goes (a router served without the app's request log). */
const outside = consoleLogger('error');

/** An unexpected error while serving `req`, on that request's log (its line carries its request id). */
export function logFault(req: Request, err: unknown, msg = 'unexpected error'): void {
  const record = records.get(req);
  if (record) record.log.error({ reqId: record.reqId, err }, msg);
  else outside.error({ err }, msg);
}

/** A door resolved who is calling: the request's log line names them. */
export function noteRequestUser(req: Request, user: { id: string } | null | undefined): void {
  const record = records.get(req);
  if (record && user) record.userId = user.id;
}

export function requestUser(req: Request): string | undefined {
  return records.get(req)?.userId;
}
