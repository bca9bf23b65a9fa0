// Between the Worker and a RoomObject: the Worker admits a socket (the same checks as on Node)
// and hands the admission over with the upgrade; room messages are posted to the object, and
// read from it by watchers.

import type { Attachment } from '../src/rooms/actor.js';

export const CONNECT_URL = 'https://room/connect';
export const DELIVER_URL = 'https://room/deliver';
/** A socket that receives every message of the room as JSON (a GraphQL / tRPC subscription in some isolate). */
export const WATCH_URL = 'https://room/watch';
/** Tags of the object's sockets: the room's own, and watchers. */
export const SOCKET_TAG = 'socket';
export const WATCH_TAG = 'watch';
/** The header carrying the admission on the upgrade to the object. */
const ADMISSION_HEADER = 'x-arena-admission';
/** The object's answer when the handshake's slot limit is reached: the Worker answers the kind's `full()`. */
export const ROOM_FULL = 409;

export interface HandedAdmission {
  room: string;
  attachment: Attachment;
  /** The room's slot limit when the socket takes a slot at the handshake, else null. */
  slot: number | null;
}

/** The admission as a header (URI-encoded JSON: a header value is Latin-1, a user id from a query may not be). */
export const admissionHeader = (handed: HandedAdmission): Record<string, string> => ({
  [ADMISSION_HEADER]: encodeURIComponent(JSON.stringify(handed)),
});

export function readAdmission(request: Request): HandedAdmission | null {
  const value = request.headers.get(ADMISSION_HEADER);
  return value === null ? null : (JSON.parse(decodeURIComponent(value)) as HandedAdmission);
}
