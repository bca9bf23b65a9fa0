// The ORIGINAL judge workers' protocol (github imxieyi/carp_judge_worker, Python), served on the
// same queue and leases as the new tRPC judges. Runtime-neutral: the host hands each socket in
// through `connect` with a tiny send/close sink and forwards its frames and its close.
//
// Wire format, from the original server (carp_oj_server controller/websocket/WebsocketHandler,
// runner/JudgePool, model/judge/CARPCase.getWorkerJson) and the worker (main.py, case.py):
//   server -> worker  {"type":0}                                   WORKER_INFO request, on connect
//   worker -> server  {"type":0,"uid":<login uid>,"maxTasks":n}    WORKER_INFO answer
//   worker -> server  {"type":1,"uid":<login uid>}                 WORKER_TICK, every 60 s
//   server -> worker  {"type":2,"payload":{"cid","type":0,"data":<base64 zip>,"dataset":{}}}
//                     CASE_DATA; the worker reads obj['payload']; the zip holds config.json,
//                     data/data.dat and program/<the submitted files>
//   worker -> server  {"type":3,"cid","timestamp":<time.time()>}   CASE_START
//   worker -> server  {"type":4,"cid","timedout","stdout","stdout_overflow","stderr",
//                      "stderr_overflow","exitcode","timestamp"}   CASE_RESULT
//   worker -> server  {"type":5,"cid","message"}                   CASE_ERROR (later workers)

import { strToU8, zipSync } from 'fflate';
import { z } from 'zod';
import { prepareInstance, verdictFor, type PreparedInstance } from '../../../judge/carp/verdict.js';
import { fromBase64, toBase64 } from '../../identity/encoding.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { ServiceError, conflict, forbidden } from '../errors.js';
import type { User } from '../users.js';
import { NOT_LOGGED_IN, PERMISSION_DENIED } from './access.js';
import { SOLVER_FILE, readSolverArchive } from './archive.js';
import type { ClaimedCase, CaseReport, QueueService } from './queue.js';

export const LegacyMessage = { WORKER_INFO: 0, WORKER_TICK: 1, CASE_DATA: 2, CASE_START: 3, CASE_RESULT: 4, CASE_ERROR: 5 } as const;

/** What a host gives for one accepted socket. */
export interface SocketSink {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface LegacyWorkerOptions {
  log?: (line: string) => void;
  /** A worker asking for more parallel cases than this gets this many. */
  maxTasksCap?: number;
  /** How long a pushed case may wait for its CASE_START before its lease is left to run out. */
  startGraceMs?: number;
  /** How long past the dataset's time limit a started case may wait for its result. */
  resultGraceMs?: number;
  /** Prepared instances (parsed + shortest paths) kept in memory, most recently used first. */
  instanceCacheSize?: number;
}

/** WebSocket close code for a frame over the host's size limit (RFC 6455 "message too big"). */
export const CLOSE_TOO_BIG = 1009;
/** Close code used when the worker breaks a protocol rule (RFC 6455 "policy violation"). */
export const CLOSE_POLICY = 1008;

const CLAIM_WAIT_MS = 30_000;
const RETRY_PAUSE_MS = 1_000;
const MAX_REASON = 1000;
/** The original's checker-exception reason; also used when a CASE_ERROR carries no message. */
const ERROR_REASON = 'Error evaluating solution!';
const WORKER_INFO_REQUEST = JSON.stringify({ type: LegacyMessage.WORKER_INFO });

const workerInfo = z.object({ uid: z.string(), maxTasks: z.number().int().min(0) });
const workerTick = z.object({ uid: z.string().optional() });
const cidOnly = z.object({ cid: z.string().min(1).max(64) });
const caseStart = cidOnly.extend({ timestamp: z.number().finite() });
const caseResult = cidOnly.extend({
  timedout: z.boolean(),
  stdout: z.string(),
  stdout_overflow: z.boolean(),
  stderr: z.string(),
  stderr_overflow: z.boolean(),
  exitcode: z.number().finite(),
  timestamp: z.number().finite(),
});
const caseError = cidOnly.extend({ message: z.unknown().optional() });

/** A case this socket holds: pushed to the worker, lease renewed by the gateway while it waits. */
interface Held {
  id: string;
  leaseId: string;
  dataset: ClaimedCase['dataset'];
  pushedAt: number;
  /** Gateway clock at CASE_START (deadlines); null until then. */
  startedAt: number | null;
  /** The worker's own CASE_START timestamp, epoch seconds: `time` is measured on one clock. */
  workerStart: number | null;
}

const isLeaseLost = (err: unknown) => err instanceof ServiceError && err.kind === 'conflict';
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The old workers' side of the judge: one {@link LegacyWorkerSocket} per connected worker, all
 * claiming from the same queue as the tRPC judges (so a case is never held by two workers, and
 * a worker whose lease is gone is refused), checking routes here with the judge's pure checker
 * since old workers only run solvers.
 *
 * One socket per worker holds per gateway node (this map). Across nodes it would take a
 * cluster-wide claim on the worker id: e.g. a row `legacy_sockets(user_id PRIMARY KEY, node,
 * expires)` inserted at handshake and renewed with the leases, or a Redis `SET NX PX` key.
 */
export function legacyWorkerHub(deps: Pick<Deps, 'config' | 'now'>, queue: QueueService, options: LegacyWorkerOptions = {}) {
  const log = options.log ?? ((line: string) => console.warn(`[legacy worker] ${line}`));
  const sockets = new Map<string, LegacyWorkerSocket>();
  const instances = new Map<string, PreparedInstance>();
  const cacheSize = options.instanceCacheSize ?? 16;

  const ctx: HubContext = {
    queue,
    now: deps.now,
    log,
    leaseMs: deps.config.JUDGE_LEASE_SECONDS * 1000,
    maxTasksCap: options.maxTasksCap ?? 64,
    startGraceMs: options.startGraceMs ?? 10 * 60_000,
    resultGraceMs: options.resultGraceMs ?? 2 * 60_000,
    /** Parsed instance + shortest paths per dataset (datasets never change once added). */
    instance(dataset) {
      let p = instances.get(dataset.id);
      if (p) {
        instances.delete(dataset.id); // most recently used goes last
      } else {
        p = prepareInstance(dataset.data);
        if (instances.size >= cacheSize) instances.delete(instances.keys().next().value!);
      }
      instances.set(dataset.id, p);
      return p;
    },
    forget(socket) {
      if (sockets.get(socket.worker.id) === socket) sockets.delete(socket.worker.id);
    },
  };

  return {
    /**
     * The handshake rule (the original HandshakeInterceptor): a signed-in WORKER (type 300
     * exactly, not ROOT), with no other socket open on this node. Throws the refusal.
     */
    admit(user: User | null): User {
      if (!user) throw new ServiceError('unauthenticated', NOT_LOGGED_IN);
      if (user.judgeType !== JudgeType.WORKER) throw forbidden(PERMISSION_DENIED);
      if (sockets.has(user.id)) throw conflict('Worker already connected!');
      return user;
    },

    /** An upgraded socket; null (and the socket closed) if the worker connected meanwhile. */
    connect(user: User, sink: SocketSink): LegacyWorkerSocket | null {
      if (sockets.has(user.id)) {
        sink.close(CLOSE_POLICY, 'Worker already connected!');
        return null;
      }
      const socket = new LegacyWorkerSocket(user, sink, ctx);
      sockets.set(user.id, socket);
      socket.open();
      return socket;
    },

    /** Worker ids with a socket open on this node. */
    connected(): string[] {
      return [...sockets.keys()];
    },

    /** Gateway shutdown: every socket closed and its cases back in the queue before the database goes. */
    async closeAll(): Promise<void> {
      const open = [...sockets.values()];
      for (const s of open) s.sink.close(1001, 'server shutting down');
      await Promise.all(open.map((s) => s.close(1001)));
    },
  };
}

export type LegacyWorkerHub = ReturnType<typeof legacyWorkerHub>;

interface HubContext {
  queue: QueueService;
  now: () => number;
  log: (line: string) => void;
  leaseMs: number;
  maxTasksCap: number;
  startGraceMs: number;
  resultGraceMs: number;
  instance(dataset: ClaimedCase['dataset']): PreparedInstance;
  forget(socket: LegacyWorkerSocket): void;
}

/**
 * One connected old worker. Messages are handled one at a time in arrival order (a CASE_RESULT
 * always sees its CASE_START done); a dispatch loop claims while the worker is below maxTasks;
 * a timer renews the leases of the cases it holds, since the open socket proves the worker alive.
 */
export class LegacyWorkerSocket {
  private maxTasks = 0;
  private registered = false;
  private closed = false;
  private readonly held = new Map<string, Held>();
  private readonly stop = new AbortController();
  private chain: Promise<void> = Promise.resolve();
  private wakeLoop: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private renewing = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly worker: User,
    readonly sink: SocketSink,
    private readonly ctx: HubContext,
  ) {}

  /** Asks for WORKER_INFO, as the original did on connect; nothing is pushed before the answer. */
  open(): void {
    this.send(WORKER_INFO_REQUEST);
    this.renewTimer = setInterval(() => void this.renewAll(), Math.max(100, Math.floor(this.ctx.leaseMs / 3)));
  }

  /** One frame from the worker (null: a binary frame, which the original did not accept either). */
  message(text: string | null): void {
    if (this.closed) return;
    this.chain = this.chain.then(() => this.handle(text)).catch((err) => this.ctx.log(`${this.worker.username}: ${errText(err)}`));
  }

  /**
   * The socket is gone: stop claiming, let the message in hand finish, and put the cases back to
   * WAITING without counting an attempt (`release`), as the original re-queued a closed
   * worker's jobs. A socket closed for a frame over the size limit (1009) leaves its cases to
   * their leases instead: each counts as an attempt, so a solver whose result can never be
   * delivered ends after a few tries rather than bouncing between workers forever.
   */
  close(code?: number): Promise<void> {
    this.closing ??= this.shutdown(code);
    return this.closing;
  }

  private async shutdown(code?: number): Promise<void> {
    this.closed = true;
    this.stop.abort();
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.wake();
    this.ctx.forget(this);
    await this.chain;
    const cases = [...this.held.values()];
    this.held.clear();
    if (code === CLOSE_TOO_BIG) {
      if (cases.length > 0) this.ctx.log(`${this.worker.username}: frame too big; ${cases.length} case(s) left to their leases`);
      return;
    }
    for (const h of cases) {
      await this.ctx.queue.release(this.worker, h.id, h.leaseId).catch((err) => this.ctx.log(`release ${h.id}: ${errText(err)}`));
    }
  }

  private send(text: string): void {
    try {
      this.sink.send(text);
    } catch (err) {
      this.ctx.log(`${this.worker.username}: send failed: ${errText(err)}`);
    }
  }

  private refuse(reason: string): void {
    this.ctx.log(`${this.worker.username}: ${reason}; closing`);
    this.sink.close(CLOSE_POLICY, reason);
    void this.close(CLOSE_POLICY);
  }

  private malformed(why: string): void {
    this.ctx.log(`${this.worker.username}: ignored a malformed message (${why})`);
  }

  private async handle(text: string | null): Promise<void> {
    if (this.closed) return;
    if (text === null) return this.malformed('binary frame');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.malformed('not JSON');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return this.malformed('not an object');
    const type = (msg as { type?: unknown }).type;
    if (typeof type !== 'number' || !Number.isInteger(type)) return this.malformed('no integer type');
    // The original answered anything before WORKER_INFO by asking for it again.
    if (type !== LegacyMessage.WORKER_INFO && !this.registered) return this.send(WORKER_INFO_REQUEST);
    switch (type) {
      case LegacyMessage.WORKER_INFO:
        return this.onInfo(msg);
      case LegacyMessage.WORKER_TICK:
        return this.onTick(msg);
      case LegacyMessage.CASE_START:
        return this.onStart(msg);
      case LegacyMessage.CASE_RESULT:
        return this.onResult(msg);
      case LegacyMessage.CASE_ERROR:
        return this.onError(msg);
      default:
        return this.malformed(`type ${type}`);
    }
  }

  private onInfo(msg: object): void {
    const m = workerInfo.safeParse(msg);
    if (!m.success) return this.malformed('WORKER_INFO');
    if (m.data.uid !== this.worker.id) return this.refuse('Wrong worker uid');
    this.maxTasks = Math.min(m.data.maxTasks, this.ctx.maxTasksCap);
    this.registered = true;
    this.loop ??= this.dispatchLoop().catch((err) => this.ctx.log(`${this.worker.username}: dispatch stopped: ${errText(err)}`));
    this.wake();
  }

  private async onTick(msg: object): Promise<void> {
    const m = workerTick.safeParse(msg);
    if (!m.success) return this.malformed('WORKER_TICK');
    if (m.data.uid !== undefined && m.data.uid !== this.worker.id) return this.refuse('Wrong worker uid');
    await this.renewAll();
  }

  private async onStart(msg: object): Promise<void> {
    const m = caseStart.safeParse(msg);
    if (!m.success) return this.malformed('CASE_START');
    const h = this.held.get(m.data.cid);
    if (!h) return this.ctx.log(`${this.worker.username}: CASE_START for ${m.data.cid}, a case it does not hold: ignored`);
    if (h.startedAt !== null) return; // a repeated CASE_START changes nothing
    try {
      await this.ctx.queue.start(this.worker, h.id, h.leaseId); // RUNNING, judgeTime, lease extended
      h.startedAt = this.ctx.now();
      h.workerStart = m.data.timestamp;
    } catch (err) {
      this.lost(h, err);
    }
  }

  private async onResult(msg: object): Promise<void> {
    const m = caseResult.safeParse(msg);
    if (!m.success) return this.malformed('CASE_RESULT');
    const r = m.data;
    const h = this.held.get(r.cid);
    if (!h) return this.ctx.log(`${this.worker.username}: CASE_RESULT for ${r.cid}, a case it does not hold: refused`);
    // As the original: result timestamp - CASE_START timestamp (the latter kept to the
    // millisecond, as Java's Date did), both read on the worker's clock. No CASE_START: 0.
    const time = h.workerStart === null ? 0 : Math.max(0, r.timestamp - Math.trunc(h.workerStart * 1000) / 1000);
    const run = { timedout: r.timedout, exitcode: Math.trunc(r.exitcode), stdout: r.stdout };
    // Old workers do not check routes: the gateway does, with the judge's own checker.
    const verdict = verdictFor(() => this.ctx.instance(h.dataset), run);
    await this.finish(h, {
      ...run,
      outOverflow: r.stdout_overflow,
      stderr: r.stderr,
      errOverflow: r.stderr_overflow,
      time,
      status: verdict.status,
      valid: verdict.valid,
      cost: verdict.cost,
      reason: verdict.reason,
    });
  }

  /** As the original server: the case ends in ERROR (4) with the worker's message as reason. */
  private async onError(msg: object): Promise<void> {
    const m = caseError.safeParse(msg);
    if (!m.success) return this.malformed('CASE_ERROR');
    const h = this.held.get(m.data.cid);
    if (!h) return this.ctx.log(`${this.worker.username}: CASE_ERROR for ${m.data.cid}, a case it does not hold: ignored`);
    const message = typeof m.data.message === 'string' && m.data.message.trim() !== '' ? m.data.message : ERROR_REASON;
    await this.finish(h, errorReport(message));
  }

  /** Reports under this socket's lease; a lease lost meanwhile refuses it (the case is not touched). */
  private async finish(h: Held, report: CaseReport): Promise<void> {
    try {
      await this.ctx.queue.report(this.worker, h.id, h.leaseId, report);
    } catch (err) {
      if (!isLeaseLost(err)) this.ctx.log(`${this.worker.username}: report ${h.id} failed: ${errText(err)}; left to its lease`);
      else this.ctx.log(`${this.worker.username}: late result for ${h.id} refused (lease lost)`);
    } finally {
      this.drop(h.id);
    }
  }

  private lost(h: Held, err: unknown): void {
    if (isLeaseLost(err)) this.ctx.log(`${this.worker.username}: lease on ${h.id} lost; dropped`);
    else this.ctx.log(`${this.worker.username}: ${h.id}: ${errText(err)}; left to its lease`);
    this.drop(h.id);
  }

  /** Stops holding a case (finished, lost, or left to its lease) and frees its slot. */
  private drop(id: string): void {
    if (this.held.delete(id)) this.wake();
  }

  private wake(): void {
    const w = this.wakeLoop;
    this.wakeLoop = null;
    w?.();
  }

  private pause(ms: number): Promise<void> {
    const signal = this.stop.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Push dispatch: claims (long-poll on the queue's case events) whenever below maxTasks. */
  private async dispatchLoop(): Promise<void> {
    while (!this.closed) {
      if (this.held.size >= this.maxTasks) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        continue;
      }
      let c: ClaimedCase | null;
      try {
        c = await this.ctx.queue.claim(this.worker, CLAIM_WAIT_MS, this.stop.signal);
      } catch (err) {
        this.ctx.log(`${this.worker.username}: claim failed: ${errText(err)}`);
        await this.pause(RETRY_PAUSE_MS);
        continue;
      }
      if (!c) continue;
      if (this.closed) {
        // Claimed as the socket went away: straight back to the queue.
        await this.ctx.queue.release(this.worker, c.id, c.leaseId).catch(() => undefined);
        break;
      }
      await this.push(c);
    }
  }

  private async push(c: ClaimedCase): Promise<void> {
    const h: Held = { id: c.id, leaseId: c.leaseId, dataset: c.dataset, pushedAt: this.ctx.now(), startedAt: null, workerStart: null };
    this.held.set(c.id, h);
    let data: CaseData;
    try {
      data = await caseData(this.ctx.queue, this.worker, c);
    } catch (err) {
      // Unreadable right now (blob store, database): the lease runs out and counts an attempt,
      // so a case that can never be read ends after a few tries instead of looping.
      this.lost(h, err);
      await this.pause(RETRY_PAUSE_MS);
      return;
    }
    if (this.closed || !this.held.has(c.id)) return; // close() released it
    if ('broken' in data) {
      // Same verdict as the new judge gives an unusable archive.
      await this.finish(h, errorReport(data.broken));
      return;
    }
    this.send(data.text);
  }

  /**
   * Renews every held lease (timer, and on WORKER_TICK). A case past its deadline (no CASE_START
   * in startGraceMs, or no result in time limit + resultGraceMs) is no longer renewed: its lease
   * runs out, the queue counts the attempt and re-queues it, and a late message is refused.
   */
  private async renewAll(): Promise<void> {
    if (this.renewing || this.closed) return;
    this.renewing = true;
    try {
      const now = this.ctx.now();
      for (const h of [...this.held.values()]) {
        const deadline =
          h.startedAt === null ? h.pushedAt + this.ctx.startGraceMs : h.startedAt + h.dataset.time * 1000 + this.ctx.resultGraceMs;
        if (now > deadline) {
          this.ctx.log(`${this.worker.username}: no ${h.startedAt === null ? 'CASE_START' : 'CASE_RESULT'} for ${h.id} in time; left to its lease`);
          this.drop(h.id);
          continue;
        }
        try {
          await this.ctx.queue.renew(this.worker, h.id, h.leaseId);
        } catch (err) {
          if (isLeaseLost(err)) this.lost(h, err);
          else this.ctx.log(`${this.worker.username}: renew ${h.id} failed: ${errText(err)}`);
        }
      }
    } finally {
      this.renewing = false;
    }
  }
}

function errorReport(reason: string): CaseReport {
  return {
    timedout: false,
    stdout: '',
    outOverflow: false,
    stderr: '',
    errOverflow: false,
    time: 0,
    exitcode: 0,
    status: 4,
    valid: false,
    cost: 0,
    reason: reason.slice(0, MAX_REASON),
  };
}

type CaseData = { text: string } | { broken: string };

/**
 * CASE_DATA as the original built it (CARPCase.getWorkerJson): a zip of config.json,
 * data/data.dat (the instance) and program/<the solver files>, base64, under `payload`.
 * Later workers also read payload.type (0 = CARP) and payload.dataset; both are sent.
 */
async function caseData(queue: QueueService, worker: User, c: ClaimedCase): Promise<CaseData> {
  const solver = readSolverArchive(fromBase64(await queue.archive(worker, c.id, c.leaseId)));
  if (!solver.ok) return { broken: solver.message };
  const paths = new Set(solver.files.map((f) => f.path));
  const entries: Record<string, Uint8Array> = {
    'config.json': strToU8(JSON.stringify(workerConfig(c.dataset, paths))),
    'data/data.dat': strToU8(c.dataset.data),
  };
  // The worker writes each file without creating its folders: list folders first, parents first.
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`program/${parts.slice(0, i).join('/')}/`);
  }
  for (const d of [...dirs].sort()) entries[d] = new Uint8Array(0);
  // The submitted archive may keep CARP_solver.py in one top folder; the worker wants it at
  // program/CARP_solver.py, so the files go in relative to the solver's folder.
  for (const f of solver.files) entries[`program/${f.path}`] = f.data;
  const zip = zipSync(entries, { level: 6 });
  return { text: JSON.stringify({ type: LegacyMessage.CASE_DATA, payload: { cid: c.id, type: 0, data: toBase64(zip), dataset: {} } }) };
}

/**
 * config.json (CARPCase.buildConfig): the worker runs `python3 program/<entry> <parameters>`
 * with $data, $time, $cpu, $memory and $seed substituted. A dataset command of the form
 * `python3 <file> ...` is carried over; anything else runs as the course's default command.
 */
export function workerConfig(dataset: ClaimedCase['dataset'], programFiles: Set<string>) {
  let entry = SOLVER_FILE;
  let parameters = '$data -t $time -s $seed';
  const argv = dataset.command?.trim().split(/\s+/) ?? [];
  if (/^python3?$/.test(argv[0] ?? '') && programFiles.has(argv[1] ?? '')) {
    entry = argv[1]!;
    parameters = argv
      .slice(2)
      .join(' ')
      .replace(/\{instance\}/g, '$data')
      .replace(/\{time\}/g, '$time')
      .replace(/\{seed\}/g, '$seed');
  }
  return {
    entry,
    data: 'data.dat',
    parameters,
    time: dataset.time,
    memory: dataset.memory,
    cpu: dataset.cpu,
    seed: Math.floor(Math.random() * 2 ** 31), // non-negative, as later servers sent
  };
}
