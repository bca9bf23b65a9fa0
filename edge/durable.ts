// The parts of workerd's Durable Object API the edge uses, typed here (the Workers type package
// would replace the DOM's types for the whole project).

/** A Durable Object namespace binding: one object per name. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
}

/** A workerd socket: accepted by the Worker itself, or by a Durable Object for hibernation (its attachment outlives the object). */
export interface HibernatableSocket extends WebSocket {
  accept(): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/** The state a Durable Object is constructed with. */
export interface DurableObjectStateLike {
  acceptWebSocket(ws: WebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): HibernatableSocket[];
  getTags(ws: WebSocket): string[];
  storage: {
    setAlarm(scheduledTime: number): Promise<void>;
    deleteAlarm(): Promise<void>;
  };
}

/** workerd's socket pair: [client, server]; the client end goes back in a 101 response. */
declare const WebSocketPair: new () => { 0: WebSocket; 1: HibernatableSocket };

export function socketPair(): { client: WebSocket; server: HibernatableSocket } {
  const pair = new WebSocketPair();
  return { client: pair[0], server: pair[1] };
}

/** The response that hands a socket's client end to the caller. */
export const upgraded = (client: WebSocket): Response => new Response(null, { status: 101, webSocket: client } as ResponseInit);
