// The original judge workers' socket, GET /api/websocket (spec 004's server, carp_oj_server
// WebsocketConfig + HandshakeInterceptor), as a room kind: one room per worker account,
// `judge-worker:<user id>`, holding at most one socket across all nodes (the slots port, taken
// at the handshake: a second socket is refused with the judge API's 409, as the original
// refused it). The protocol's rules are services.judge.legacyWorkers'; this actor keeps the
// cases it holds in its socket's attachment, renews their leases on its alarm, and claims new
// ones while the worker is below its maxTasks.

import { parse } from 'hono/utils/cookie';
import { ServiceError } from '../services/errors.js';
import {
  ALREADY_CONNECTED,
  type HeldCase,
  type LegacyWorkerService,
  WORKER_INFO_REQUEST,
  WRONG_UID,
  type WorkerMessage,
  readWorkerMessage,
} from '../services/judge/legacy-worker.js';
import type { CaseReport, ClaimedCase } from '../services/judge/queue.js';
import type { User } from '../services/users.js';
import { HTTP_STATUS_OF } from '../wire/http-status.js';
import { springErrorResponse } from '../wire/spring.js';
import { type Admission, type Attachment, type RoomContext, type RoomKind, type RoomSocket, SerialActor } from './actor.js';
import { sameOrigin } from './auth.js';
import { CloseCode } from './close-codes.js';
import { logFault, noteRequestUser } from '../observe/request-context.js';

const CLAIM_WAIT_MS = 30_000;
const RETRY_PAUSE_MS = 1_000;

interface WorkerAttachment extends Attachment {
  /** WORKER_INFO answered: cases may be pushed. */
  registered: boolean;
  maxTasks: number;
  held: HeldCase[];
  /** Closed by the gateway for breaking the protocol: nothing more it sends is read. */
  refused: boolean;
}

type Socket = RoomSocket<WorkerAttachment>;

const isLeaseLost = (err: unknown) => err instanceof ServiceError && err.kind === 'conflict';
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

class JudgeWorkerActor extends SerialActor<WorkerAttachment> {
  /** The worker's account, read once per actor (rebuilt from the attachment's user id). */
  private user: Promise<User> | null = null;
  /** The claim loop: runs beside the serial handlers, pushes through them. */
  private pump: Promise<void> | null = null;
  private stop: AbortController | null = null;
  private wakePump: (() => void) | null = null;

  constructor(
    ctx: RoomContext<WorkerAttachment>,
    private readonly rules: LegacyWorkerService,
  ) {
    super(ctx);
  }

  private get cases() {
    return this.rules.queue;
  }

  /** The room's one socket, if it is still open. */
  private socket(): Socket | null {
    return this.ctx.sockets()[0] ?? null;
  }

  private worker(): Promise<User> {
    this.user ??= this.ctx.services.users.byId(this.ctx.id).then(
      (u) => {
        if (!u) throw new Error(`worker ${this.ctx.id} is gone`);
        return u;
      },
      (err: unknown) => {
        this.user = null; // a database hiccup: read again next time
        throw err;
      },
    );
    return this.user;
  }

  private log(line: string): void {
    this.ctx.log(`judge worker ${this.ctx.id}: ${line}`);
  }

  private update(socket: Socket, change: (a: WorkerAttachment) => Partial<WorkerAttachment>): void {
    const a = socket.attachment();
    socket.attach({ ...a, ...change(a) });
  }

  /** Asks for WORKER_INFO, as the original did on connect; nothing is pushed before the answer. */
  protected async onConnect(socket: Socket): Promise<void> {
    socket.send(WORKER_INFO_REQUEST);
    this.ctx.setAlarm(this.rules.renewEveryMs);
  }

  protected async onMessage(socket: Socket, data: string | ArrayBuffer): Promise<void> {
    const a = socket.attachment();
    if (a.refused) return;
    const msg = readWorkerMessage(typeof data === 'string' ? data : null, a.registered);
    if ('askInfo' in msg) return socket.send(WORKER_INFO_REQUEST);
    if ('malformed' in msg) return this.log(`ignored a malformed message (${msg.malformed})`);
    await this.handle(socket, msg);
  }

  private async handle(socket: Socket, msg: WorkerMessage): Promise<void> {
    const worker = await this.worker();
    if ('uid' in msg && msg.uid !== undefined && msg.uid !== worker.id) return this.refuse(socket, WRONG_UID);
    switch (msg.type) {
      case 0:
        this.update(socket, () => ({ registered: true, maxTasks: this.rules.maxTasks(msg.maxTasks) }));
        return this.runPump();
      case 1:
        return this.renewAll(socket);
      case 3:
        return this.onStart(socket, worker, msg.cid, msg.timestamp);
      case 4: {
        const h = this.heldCase(socket, msg.cid, 'CASE_RESULT', 'refused');
        if (h) await this.finish(socket, h, () => this.rules.resultReport(h, msg));
        return;
      }
      case 5: {
        const h = this.heldCase(socket, msg.cid, 'CASE_ERROR', 'ignored');
        if (h) await this.finish(socket, h, async () => this.rules.errorReport(msg.message));
        return;
      }
    }
  }

  private heldCase(socket: Socket, cid: string, what: string, outcome: string): HeldCase | null {
    const h = socket.attachment().held.find((x) => x.id === cid);
    if (!h) this.log(`${what} for ${cid}, a case it does not hold: ${outcome}`);
    return h ?? null;
  }

  private async onStart(socket: Socket, worker: User, cid: string, timestamp: number): Promise<void> {
    const h = this.heldCase(socket, cid, 'CASE_START', 'ignored');
    if (!h || h.startedAt !== null) return; // a repeated CASE_START changes nothing
    try {
      await this.cases.start(worker, h.id, h.leaseId); // RUNNING, judgeTime, lease extended
      const startedAt = this.ctx.services.deps.now();
      this.update(socket, (a) => ({ held: a.held.map((x) => (x.id === cid ? { ...x, startedAt, workerStart: timestamp } : x)) }));
    } catch (err) {
      this.lost(socket, h, err);
    }
  }

  /** Reports under this socket's lease; a lease lost meanwhile refuses it (the case is not touched). */
  private async finish(socket: Socket, h: HeldCase, report: () => Promise<CaseReport>): Promise<void> {
    try {
      await this.cases.report(await this.worker(), h.id, h.leaseId, await report());
    } catch (err) {
      if (isLeaseLost(err)) this.log(`late result for ${h.id} refused (lease lost)`);
      else this.log(`report ${h.id} failed: ${errText(err)}; left to its lease`);
    } finally {
      this.drop(socket, h.id);
    }
  }

  private lost(socket: Socket, h: HeldCase, err: unknown): void {
    if (isLeaseLost(err)) this.log(`lease on ${h.id} lost; dropped`);
    else this.log(`${h.id}: ${errText(err)}; left to its lease`);
    this.drop(socket, h.id);
  }

  /** Stops holding a case (finished, lost, or left to its lease) and frees its place for a claim. */
  private drop(socket: Socket, id: string): void {
    this.update(socket, (a) => ({ held: a.held.filter((x) => x.id !== id) }));
    this.wake();
  }

  /** Breaks the protocol: closed 1008, and nothing more it sends is read; its close gives its cases back. */
  private refuse(socket: Socket, reason: string): void {
    this.log(`${reason}; closing`);
    this.update(socket, () => ({ refused: true }));
    socket.close(CloseCode.POLICY, reason);
  }

  /**
   * The socket is gone: stop claiming and put its cases back to WAITING without counting an
   * attempt (`release`), as the original re-queued a closed worker's jobs. A socket closed for a
   * frame over the size limit (1009) leaves its cases to their leases instead: each counts as
   * an attempt, so a solver whose result can never be delivered ends after a few tries rather
   * than bouncing between workers forever.
   */
  protected async onClose(socket: Socket, code: number): Promise<void> {
    this.stop?.abort();
    this.wake();
    this.ctx.setAlarm(null);
    const cases = socket.attachment().held;
    this.update(socket, () => ({ held: [] }));
    if (code === CloseCode.TOO_BIG) {
      if (cases.length > 0) this.log(`frame too big; ${cases.length} case(s) left to their leases`);
      return;
    }
    const worker = await this.worker();
    for (const h of cases) await this.cases.release(worker, h.id, h.leaseId).catch((err) => this.log(`release ${h.id}: ${errText(err)}`));
  }

  /** Every third of a lease: held leases renewed; a claim loop that should run (after a wake-up) is running. */
  protected override async onAlarm(): Promise<void> {
    const socket = this.socket();
    if (!socket) return;
    this.ctx.setAlarm(this.rules.renewEveryMs);
    await this.renewAll(socket);
    if (socket.attachment().registered) this.runPump();
  }

  /** Renews every held lease; a case past its deadline is left to its lease (see rules.overdue). */
  private async renewAll(socket: Socket): Promise<void> {
    const worker = await this.worker();
    const now = this.ctx.services.deps.now();
    for (const h of socket.attachment().held) {
      const waited = this.rules.overdue(h, now);
      if (waited) {
        this.log(`no ${waited} for ${h.id} in time; left to its lease`);
        this.drop(socket, h.id);
        continue;
      }
      try {
        await this.cases.renew(worker, h.id, h.leaseId);
      } catch (err) {
        if (isLeaseLost(err)) this.lost(socket, h, err);
        else this.log(`renew ${h.id} failed: ${errText(err)}`);
      }
    }
  }

  private wake(): void {
    const w = this.wakePump;
    this.wakePump = null;
    w?.();
  }

  private runPump(): void {
    if (this.pump) {
      this.wake();
      return;
    }
    const stop = new AbortController();
    this.stop = stop;
    this.pump = this.claimLoop(stop.signal)
      .catch((err) => this.log(`dispatch stopped: ${errText(err)}`))
      .finally(() => {
        if (this.stop === stop) this.pump = this.stop = null;
      });
  }

  /** Push dispatch: claims (long-poll on the queue's case events) whenever below maxTasks. */
  private async claimLoop(signal: AbortSignal): Promise<void> {
    const worker = await this.worker();
    while (!signal.aborted) {
      const socket = this.socket();
      if (!socket) return;
      const a = socket.attachment();
      if (a.held.length >= a.maxTasks) {
        await new Promise<void>((resolve) => (this.wakePump = resolve));
        continue;
      }
      let c: ClaimedCase | null;
      try {
        c = await this.cases.claim(worker, CLAIM_WAIT_MS, signal);
      } catch (err) {
        this.log(`claim failed: ${errText(err)}`);
        await pause(RETRY_PAUSE_MS, signal);
        continue;
      }
      if (c) await this.serial(() => this.push(c));
    }
  }

  private async push(c: ClaimedCase): Promise<void> {
    const worker = await this.worker();
    const socket = this.socket();
    if (!socket) {
      // Claimed as the socket went away: straight back to the queue.
      await this.cases.release(worker, c.id, c.leaseId).catch(() => undefined);
      return;
    }
    const h = this.rules.hold(c, this.ctx.services.deps.now());
    this.update(socket, (a) => ({ held: [...a.held, h] }));
    let data: Awaited<ReturnType<LegacyWorkerService['caseData']>>;
    try {
      data = await this.rules.caseData(worker, c);
    } catch (err) {
      // Unreadable right now (blob store, database): the lease runs out and counts an attempt,
      // so a case that can never be read ends after a few tries instead of looping.
      this.lost(socket, h, err);
      await pause(RETRY_PAUSE_MS, this.stop?.signal);
      return;
    }
    // Same verdict as the new judge gives an unusable archive.
    if ('broken' in data) return this.finish(socket, h, async () => this.rules.errorReport(data.broken));
    socket.send(data.text);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The judge-worker room kind on services.judge.legacyWorkers. */
export function judgeWorkerRoomKind(rules: LegacyWorkerService): RoomKind<WorkerAttachment> {
  const refusal = (req: Request, err: unknown) => {
    const path = new URL(req.url).pathname;
    if (err instanceof ServiceError) return springErrorResponse(HTTP_STATUS_OF[err.kind], err.message, path);
    logFault(req, err);
    return springErrorResponse(500, 'Internal error', path);
  };
  return {
    name: 'judge-worker',
    paths: ['/api/websocket'],
    // Spring's answer to a plain GET on a socket endpoint.
    notUpgrade: () => new Response('Can "Upgrade" only to "WebSocket".', { status: 400, headers: { 'content-type': 'text/plain; charset=UTF-8' } }),
    canonicalId: (raw) => (raw.length > 0 && raw.length <= 64 ? raw : null),
    async admit(req, env): Promise<Admission<WorkerAttachment>> {
      // Spring's WebSocket handshake took same-origin pages only (or clients that send no Origin, as the workers).
      if (!sameOrigin(req)) return { refuse: new Response(null, { status: 403 }) };
      let user: User;
      try {
        user = rules.admit(await env.services.sessions.resolve(sessionCookie(req)));
        noteRequestUser(req, user);
      } catch (err) {
        return { refuse: refusal(req, err) };
      }
      return {
        room: `judge-worker:${user.id}`,
        attachment: { userId: user.id, joined: true, registered: false, maxTasks: 0, held: [], refused: false },
        slot: { limit: 1, full: () => springErrorResponse(409, ALREADY_CONNECTED, new URL(req.url).pathname) },
      };
    },
    create: (ctx) => new JudgeWorkerActor(ctx, rules),
    // Workers' sockets carry no room events anyone watches.
    mayWatch: async () => false,
  };
}

/** The JSESSIONID cookie of the handshake, as the judge API reads it. */
const sessionCookie = (req: Request): string | undefined => parse(req.headers.get('cookie') ?? '', 'JSESSIONID').JSESSIONID;
