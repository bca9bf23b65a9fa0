// The ORIGINAL judge workers' protocol (github imxieyi/carp_judge_worker, Python): its messages,
// and the rules a socket of one follows on the shared queue (who may connect, what a pushed case
// looks like, how a result becomes a report, when a held case is given up). State and rules
// only: the socket itself is a room actor (src/rooms/judge-worker.ts) that keeps its held cases
// in its attachment.
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
import { readSolverArchive, SOLVER_FILE } from '../../carp/archive.js';
import { errorReport, type PreparedInstance, prepareInstance, verdictFor } from '../../carp/verdict.js';
import { fromBase64, toBase64 } from '../../identity/encoding.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { ServiceError, forbidden } from '../errors.js';
import type { User } from '../users.js';
import { NOT_LOGGED_IN, PERMISSION_DENIED } from './access.js';
import type { DatasetsService } from './datasets.js';
import type { CaseReport, ClaimedCase, QueueService } from './queue.js';

const LegacyMessage = { WORKER_INFO: 0, WORKER_TICK: 1, CASE_DATA: 2, CASE_START: 3, CASE_RESULT: 4, CASE_ERROR: 5 } as const;

/** The server's first frame, and its answer to anything a worker sends before WORKER_INFO. */
export const WORKER_INFO_REQUEST = JSON.stringify({ type: LegacyMessage.WORKER_INFO });
/** The original's refusal of a second socket for one worker. */
export const ALREADY_CONNECTED = 'Worker already connected!';
/** A worker answering with another account's uid breaks the protocol. */
export const WRONG_UID = 'Wrong worker uid';

const MAX_REASON = 1000;
/** The original's checker-exception reason; also used when a CASE_ERROR carries no message. */
const ERROR_REASON = 'Error evaluating solution!';

const workerInfo = z.object({ type: z.literal(0), uid: z.string(), maxTasks: z.number().int().min(0) });
const workerTick = z.object({ type: z.literal(1), uid: z.string().optional() });
const cidOnly = z.object({ cid: z.string().min(1).max(64) });
const caseStart = cidOnly.extend({ type: z.literal(3), timestamp: z.number().finite() });
const caseResult = cidOnly.extend({
  type: z.literal(4),
  timedout: z.boolean(),
  stdout: z.string(),
  stdout_overflow: z.boolean(),
  stderr: z.string(),
  stderr_overflow: z.boolean(),
  exitcode: z.number().finite(),
  timestamp: z.number().finite(),
});
const caseError = cidOnly.extend({ type: z.literal(5), message: z.unknown().optional() });

const SCHEMAS = {
  [LegacyMessage.WORKER_INFO]: ['WORKER_INFO', workerInfo],
  [LegacyMessage.WORKER_TICK]: ['WORKER_TICK', workerTick],
  [LegacyMessage.CASE_START]: ['CASE_START', caseStart],
  [LegacyMessage.CASE_RESULT]: ['CASE_RESULT', caseResult],
  [LegacyMessage.CASE_ERROR]: ['CASE_ERROR', caseError],
} as const;

export type WorkerMessage =
  | z.infer<typeof workerInfo>
  | z.infer<typeof workerTick>
  | z.infer<typeof caseStart>
  | z.infer<typeof caseResult>
  | z.infer<typeof caseError>;
export type CaseResultMessage = z.infer<typeof caseResult>;

/**
 * One frame from a worker (null: a binary frame, which the original did not accept either), or
 * why it is ignored. Before WORKER_INFO only WORKER_INFO is read: the original answered
 * anything else by asking for it again.
 */
export function readWorkerMessage(text: string | null, registered: boolean): WorkerMessage | { askInfo: true } | { malformed: string } {
  if (text === null) return { malformed: 'binary frame' };
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { malformed: 'not JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { malformed: 'not an object' };
  const type = (msg as { type?: unknown }).type;
  if (typeof type !== 'number' || !Number.isInteger(type)) return { malformed: 'no integer type' };
  if (type !== LegacyMessage.WORKER_INFO && !registered) return { askInfo: true };
  const schema = SCHEMAS[type as keyof typeof SCHEMAS];
  if (!schema) return { malformed: `type ${type}` };
  const parsed = schema[1].safeParse(msg);
  return parsed.success ? parsed.data : { malformed: schema[0] };
}

/**
 * A case a worker's socket holds: pushed to it, its lease renewed by the gateway while it runs.
 * Kept in the socket's attachment, so it is small and plain.
 */
export interface HeldCase {
  id: string;
  leaseId: string;
  datasetId: string;
  /** The dataset's time limit, seconds. */
  time: number;
  pushedAt: number;
  /** Gateway clock at CASE_START (deadlines); null until then. */
  startedAt: number | null;
  /** The worker's own CASE_START timestamp, epoch seconds: `time` is measured on one clock. */
  workerStart: number | null;
}

export interface LegacyWorkerOptions {
  /** A worker asking for more parallel cases than this gets this many. */
  maxTasksCap?: number;
  /** How long a pushed case may wait for its CASE_START before its lease is left to run out. */
  startGraceMs?: number;
  /** How long past the dataset's time limit a started case may wait for its result. */
  resultGraceMs?: number;
  /** Prepared instances (parsed + shortest paths) kept in memory, most recently used first. */
  instanceCacheSize?: number;
}

type CaseData = { text: string } | { broken: string };

/** The rules of the old workers' sockets, on the one queue the tRPC judges claim from too. */
export function legacyWorkerService(deps: Pick<Deps, 'config'>, queue: QueueService, datasets: DatasetsService, options: LegacyWorkerOptions = {}) {
  const leaseMs = deps.config.JUDGE_LEASE_SECONDS * 1000;
  const maxTasksCap = options.maxTasksCap ?? 64;
  const startGraceMs = options.startGraceMs ?? 10 * 60_000;
  const resultGraceMs = options.resultGraceMs ?? 2 * 60_000;
  const cacheSize = options.instanceCacheSize ?? 16;
  /** Parsed instance + shortest paths per dataset (datasets never change once added). */
  const instances = new Map<string, PreparedInstance>();

  /**
   * The dataset's prepared instance, as a getter the verdict calls only once the pre-checks
   * pass; a dataset that cannot be read or parsed throws there (the original's ERROR verdict).
   */
  async function instanceOf(datasetId: string): Promise<() => PreparedInstance> {
    const cached = instances.get(datasetId);
    if (cached) {
      instances.delete(datasetId); // most recently used goes last
      instances.set(datasetId, cached);
      return () => cached;
    }
    const dataset = await datasets.get(datasetId);
    return () => {
      if (!dataset) throw new Error(`dataset ${datasetId} is gone`);
      const p = prepareInstance(dataset.data);
      if (instances.size >= cacheSize) instances.delete(instances.keys().next().value!);
      instances.set(datasetId, p);
      return p;
    };
  }

  return {
    queue,
    /** How often a socket renews its held leases: the open socket proves the worker alive. */
    renewEveryMs: Math.max(100, Math.floor(leaseMs / 3)),

    /** The handshake rule (the original HandshakeInterceptor): a signed-in WORKER (type 300 exactly, not ROOT). */
    admit(user: User | null): User {
      if (!user) throw new ServiceError('unauthenticated', NOT_LOGGED_IN);
      if (user.judgeType !== JudgeType.WORKER) throw forbidden(PERMISSION_DENIED);
      return user;
    },

    /** The parallel cases a worker gets for the maxTasks it asked for. */
    maxTasks: (asked: number) => Math.min(asked, maxTasksCap),

    hold: (c: ClaimedCase, now: number): HeldCase => ({
      id: c.id,
      leaseId: c.leaseId,
      datasetId: c.dataset.id,
      time: c.dataset.time,
      pushedAt: now,
      startedAt: null,
      workerStart: null,
    }),

    /**
     * A held case past its deadline (no CASE_START in startGraceMs, or no result in time limit +
     * resultGraceMs) is no longer renewed: its lease runs out, the queue counts the attempt and
     * re-queues it, and a late message is refused. Returns what it waited for, or null.
     */
    overdue(h: HeldCase, now: number): 'CASE_START' | 'CASE_RESULT' | null {
      if (h.startedAt === null) return now > h.pushedAt + startGraceMs ? 'CASE_START' : null;
      return now > h.startedAt + h.time * 1000 + resultGraceMs ? 'CASE_RESULT' : null;
    },

    /** CASE_DATA for a claimed case, or why its archive cannot be run. */
    async caseData(worker: User, c: ClaimedCase): Promise<CaseData> {
      const solver = readSolverArchive(fromBase64(await queue.archive(worker, c.id, c.leaseId)));
      if (!solver.ok) return { broken: solver.message };
      return { text: caseDataFrame(c, solver.files) };
    },

    /** A CASE_RESULT as the report the original made of it; old workers do not check routes, the gateway does. */
    async resultReport(h: HeldCase, r: CaseResultMessage): Promise<CaseReport> {
      // As the original: result timestamp - CASE_START timestamp (the latter kept to the
      // millisecond, as Java's Date did), both read on the worker's clock. No CASE_START: 0.
      const time = h.workerStart === null ? 0 : Math.max(0, r.timestamp - Math.trunc(h.workerStart * 1000) / 1000);
      const run = { timedout: r.timedout, exitcode: Math.trunc(r.exitcode), stdout: r.stdout };
      const verdict = verdictFor(await instanceOf(h.datasetId), run);
      return {
        ...run,
        outOverflow: r.stdout_overflow,
        stderr: r.stderr,
        errOverflow: r.stderr_overflow,
        time,
        status: verdict.status,
        valid: verdict.valid,
        cost: verdict.cost,
        reason: verdict.reason,
      };
    },

    /** As the original server: a CASE_ERROR (or an unusable archive) ends the case in ERROR (4) with its message as reason. */
    errorReport(message: unknown): CaseReport {
      const reason = typeof message === 'string' && message.trim() !== '' ? message : ERROR_REASON;
      return errorReport(reason.slice(0, MAX_REASON));
    },
  };
}

export type LegacyWorkerService = ReturnType<typeof legacyWorkerService>;

/**
 * CASE_DATA as the original built it (CARPCase.getWorkerJson): a zip of config.json,
 * data/data.dat (the instance) and program/<the solver files>, base64, under `payload`.
 * Later workers also read payload.type (0 = CARP) and payload.dataset; both are sent.
 */
function caseDataFrame(c: ClaimedCase, files: { path: string; data: Uint8Array }[]): string {
  const paths = new Set(files.map((f) => f.path));
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
  for (const f of files) entries[`program/${f.path}`] = f.data;
  const zip = zipSync(entries, { level: 6 });
  return JSON.stringify({ type: LegacyMessage.CASE_DATA, payload: { cid: c.id, type: 0, data: toBase64(zip), dataset: {} } });
}

/**
 * config.json (CARPCase.buildConfig): the worker runs `python3 program/<entry> <parameters>`.
 * The seed is written into `parameters` as the number itself, not as `$seed`: workers before
 * carp_judge_worker bd27e4a substitute only $data, $time, $cpu and $memory, and would hand the
 * solver the text `$seed`; later ones also substitute $seed, which is then absent, so every
 * generation runs the same command. `seed` is still sent, the same number. A dataset command
 * of the form `python3 <file> ...` is carried over; anything else runs as the course's default.
 */
export function workerConfig(dataset: ClaimedCase['dataset'], programFiles: Set<string>) {
  const seed = randomSeed();
  let entry = SOLVER_FILE;
  let parameters = `$data -t $time -s ${seed}`;
  const argv = dataset.command?.trim().split(/\s+/) ?? [];
  if (/^python3?$/.test(argv[0] ?? '') && programFiles.has(argv[1] ?? '')) {
    entry = argv[1]!;
    parameters = argv
      .slice(2)
      .join(' ')
      .replace(/\{instance\}/g, '$data')
      .replace(/\{time\}/g, '$time')
      .replace(/\{seed\}/g, String(seed));
  }
  return {
    entry,
    data: 'data.dat',
    parameters,
    time: dataset.time,
    memory: dataset.memory,
    cpu: dataset.cpu,
    seed,
  };
}

/** A non-negative 31-bit int (WebCrypto), as the original's random seed (Java's nextInt, made non-negative). */
function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! >>> 1;
}
