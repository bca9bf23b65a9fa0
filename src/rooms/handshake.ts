import { ServiceError } from '../services/errors.js';
import type { Admission, RoomEnv, RoomKind } from './actor.js';

/** An admission past its refusal: a room to join, or frames to send before a close. */
export type Accepted = Exclude<Admission, { refuse: Response }>;

/** Whether a request on a socket path asks to upgrade; if not, the kind's answer to a plain GET. */
export function notUpgrade(kind: RoomKind, req: Request): Response | null {
  if (req.headers.get('upgrade')?.toLowerCase() === 'websocket') return null;
  // The training API (FastAPI) answered a plain GET on a socket route with its 404.
  return kind.notUpgrade?.(req) ?? Response.json({ detail: 'Not Found' }, { status: 404 });
}

/** The kind's handshake check, the same on every host: a refusal is the response to send. */
export async function admitSocket(kind: RoomKind, req: Request, env: RoomEnv): Promise<Accepted | Response> {
  let admission: Admission;
  try {
    admission = await kind.admit(req, env);
  } catch (err) {
    // The database away (who is calling, the room's members): refused as during a shutdown, so the client retries.
    if (err instanceof ServiceError && err.kind === 'unavailable') return new Response(null, { status: 503 });
    throw err;
  }
  return 'refuse' in admission ? admission.refuse : admission;
}
