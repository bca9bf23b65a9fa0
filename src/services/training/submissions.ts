import { inTransaction } from '../../db/tx.js';
import { toBase64 } from '../../identity/encoding.js';
import { liveTaskScore, pyRound } from '../contests/scores.js';
import type { Deps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import { CaseStatus } from '../judge/case-view.js';
import { CASE_TOPIC, type CaseEvent } from '../judge/events.js';
import { GAVE_UP_REASON } from '../judge/queue.js';
import type { SubmitService } from '../judge/submit.js';
import type { User } from '../users.js';
import { publishRoomFrame } from '../../bus/room-frames.js';
import { trainingRoom } from './rooms.js';
import { PROBLEM_NOT_FOUND, type ProblemStatus, type SessionsService } from './sessions.js';

/**
 * A training submission as the training API shows it: the original relayed Yandex.Contest's
 * run report; here the judge's CARP case, mapped onto the same field names.
 */
export interface TrainingSubmission {
  /** The judge case id (the `runId` the submit answered). */
  id: string;
  problemAlias: string;
  /** The contest task's id. */
  problemId: number;
  /** The submitter's gateway id and login. */
  authorId: string;
  author: string;
  /** When it was submitted, ISO 8601 (UTC, milliseconds), as Yandex.Contest wrote it. */
  submissionTime: string;
  /** Milliseconds from the session's start to the submission. */
  timeFromStart: number;
  /** `No report` while the judge has not finished; then OK, WA, TL, RE or CF (see verdictOf). */
  verdict: string;
  /** The task's live score for this case: 100 x reference cost / this cost, capped at 100; 0 unless OK. */
  score: number;
  compiler: string;
  compileLog: string;
  diff: string;
  source: string;
  /** The judge's own fields. */
  status: number;
  valid: boolean;
  cost: number;
  reason: string | null;
  time: number;
  exitcode: number;
  timedout: boolean;
}

/** SUBMISSION_VERDICT_RETRIEVED's payload: the original's eleven fields. */
export type VerdictPayload = Pick<
  TrainingSubmission,
  'compileLog' | 'compiler' | 'diff' | 'problemAlias' | 'problemId' | 'score' | 'source' | 'submissionTime' | 'timeFromStart' | 'verdict' | 'id'
>;

const PENDING_VERDICT = 'No report';
/** What `compiler` says: a CARP solver archive, run by the judge's solver command. */
const CARP_COMPILER = 'carp-solver';
const SESSION_FINISHED = 'Тренировка завершена';
const NO_DATASET = 'Задача не принимает решений: она не связана с набором данных CARP';
const SUBMISSION_NOT_FOUND = 'Посылка не найдена';

interface CaseFacts {
  status: number;
  valid: boolean;
  timedout: boolean;
  exitcode: number;
  reason: string | null;
}

/**
 * Yandex.Contest's verdict names for a judge case: OK = a valid route; TL = the solver ran out of
 * time; RE = it exited non-zero; WA = it ran but its answer was refused by the checker; CF
 * (check failed) = the judge could not judge it (status ERROR, or it gave up after its retries).
 */
function verdictOf(c: CaseFacts): string {
  if (c.status < CaseStatus.FINISHED) return PENDING_VERDICT;
  if (c.status === CaseStatus.ERROR || c.reason === GAVE_UP_REASON) return 'CF';
  if (c.valid) return 'OK';
  if (c.timedout) return 'TL';
  if (c.exitcode !== 0) return 'RE';
  return 'WA';
}

const SELECT = `SELECT ts.case_id, ts.alias, ts.user_id, u.username, p.task_id, t.score_precision,
    s.created_us AS session_us, c.submit_time, c.status, c.valid, c.cost, c.reason, c.time, c.exitcode, c.timedout,
    d.best_known_cost, (SELECT MIN(b.cost) FROM judge_best b WHERE b.dataset_id = c.dataset_id) AS best_cost
  FROM training_submissions ts
  JOIN cases c ON c.id = ts.case_id
  JOIN training_sessions s ON s.id = ts.session_id
  JOIN training_problems p ON p.session_id = ts.session_id AND p.alias = ts.alias
  JOIN tasks t ON t.id = p.task_id
  JOIN users u ON u.id = ts.user_id
  LEFT JOIN datasets d ON d.id = c.dataset_id`;

function rowToSubmission(r: Record<string, unknown>): TrainingSubmission {
  const facts: CaseFacts = {
    status: Number(r.status),
    valid: Boolean(r.valid),
    timedout: Boolean(r.timedout),
    exitcode: Number(r.exitcode),
    reason: r.reason === null ? null : String(r.reason),
  };
  const verdict = verdictOf(facts);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const cost = Number(r.cost);
  const submitMs = Number(r.submit_time);
  return {
    id: String(r.case_id),
    problemAlias: String(r.alias),
    problemId: Number(r.task_id),
    authorId: String(r.user_id),
    author: String(r.username),
    submissionTime: new Date(submitMs).toISOString(),
    timeFromStart: Math.max(0, submitMs - Math.floor(Number(r.session_us) / 1000)),
    verdict,
    score: verdict === 'OK' ? pyRound(liveTaskScore(cost, num(r.best_known_cost), num(r.best_cost)), Number(r.score_precision)) : 0,
    compiler: CARP_COMPILER,
    compileLog: '',
    diff: '',
    source: '',
    status: facts.status,
    valid: facts.valid,
    cost,
    reason: facts.reason,
    time: Number(r.time),
    exitcode: facts.exitcode,
    timedout: facts.timedout,
  };
}

const verdictPayload = (s: TrainingSubmission): VerdictPayload => ({
  compileLog: s.compileLog,
  compiler: s.compiler,
  diff: s.diff,
  problemAlias: s.problemAlias,
  problemId: s.problemId,
  score: s.score,
  source: s.source,
  submissionTime: s.submissionTime,
  timeFromStart: s.timeFromStart,
  verdict: s.verdict,
  id: s.id,
});

/**
 * Submissions from a training session go to the judge (the problem's CARP dataset); the judge's
 * case events come back through one lasting subscription: when a case of a training submission
 * is judged, its verdict is applied once (a conditional UPDATE, so on one node of many) to the
 * problem (attempts + 1; OK passes it; a PASSED problem stays PASSED), and the room hears
 * SUBMISSION_VERDICT_RETRIEVED, then PROBLEM_STATUS_UPDATED.
 */
export function submissionsService(deps: Deps, sessions: SessionsService, judge: SubmitService) {
  const { db, now, bus } = deps;

  async function one(caseId: string): Promise<TrainingSubmission | null> {
    const r = (await db.execute({ sql: `${SELECT} WHERE ts.case_id = ?`, args: [caseId] })).rows[0];
    return r ? rowToSubmission(r) : null;
  }

  /** Applies a judged case's verdict to its problem, once; then tells the room. */
  async function applyVerdict(caseId: string): Promise<void> {
    const r = (
      await db.execute({
        sql: `SELECT ts.session_id, ts.alias, ts.applied, c.status FROM training_submissions ts
              JOIN cases c ON c.id = ts.case_id WHERE ts.case_id = ?`,
        args: [caseId],
      })
    ).rows[0];
    if (!r || Number(r.applied) !== 0 || Number(r.status) < CaseStatus.FINISHED) return;
    const sessionId = String(r.session_id);
    const alias = String(r.alias);
    const submission = await one(caseId);
    if (!submission) return;
    const status = await inTransaction(db, async (tx) => {
      const won = await tx.execute({ sql: 'UPDATE training_submissions SET applied = 1 WHERE case_id = ? AND applied = 0', args: [caseId] });
      if (won.rowsAffected !== 1) return null;
      const p = await tx.execute({
        sql: `UPDATE training_problems SET attempts = attempts + 1,
                status = CASE WHEN status = 'PASSED' OR ? THEN 'PASSED' ELSE 'FAILED' END
              WHERE session_id = ? AND alias = ? RETURNING status`,
        args: [submission.verdict === 'OK' ? 1 : 0, sessionId, alias],
      });
      return p.rows[0] ? (String(p.rows[0].status) as ProblemStatus) : null;
    });
    if (status === null) return;
    const room = trainingRoom(sessionId);
    await publishRoomFrame(deps, room, { type: 'SUBMISSION_VERDICT_RETRIEVED', payload: verdictPayload(submission) });
    await publishRoomFrame(deps, room, { type: 'PROBLEM_STATUS_UPDATED', payload: { status, problemAlias: alias } });
  }

  /** Verdicts judged while no node was listening (a restart): applied when the session's submissions are read. */
  async function catchUp(sessionId: string): Promise<void> {
    const rs = await db.execute({
      sql: `SELECT ts.case_id FROM training_submissions ts JOIN cases c ON c.id = ts.case_id
            WHERE ts.session_id = ? AND ts.applied = 0 AND c.status >= ${CaseStatus.FINISHED} ORDER BY ts.created_us`,
      args: [sessionId],
    });
    for (const r of rs.rows) await applyVerdict(String(r.case_id));
  }

  bus.subscribe(CASE_TOPIC, (m) => {
    const e = m as CaseEvent;
    if (typeof e?.id !== 'string' || !(e.status >= CaseStatus.FINISHED)) return;
    applyVerdict(e.id).catch((err) => deps.log.error({ err, caseId: e.id }, 'training verdict not applied'));
  });

  async function list(sessionId: string, alias?: string): Promise<TrainingSubmission[]> {
    await catchUp(sessionId);
    const rs = await db.execute({
      sql: `${SELECT} WHERE ts.session_id = ? ${alias === undefined ? '' : 'AND ts.alias = ?'} ORDER BY ts.created_us DESC, ts.case_id DESC`,
      args: alias === undefined ? [sessionId] : [sessionId, alias],
    });
    return rs.rows.map(rowToSubmission);
  }

  return {
    applyVerdict,

    /**
     * A solver archive (zip bytes) for a problem of a running session, from a member of its team:
     * checked and queued by the judge (its limits, quota and messages), then
     * SUBMISSION_VERDICT_PENDING {id, problemAlias} to the room. Answers the case id.
     */
    async submit(actor: User | null, sessionId: string, input: { problemAlias: string; archive: Uint8Array }): Promise<{ runId: string }> {
      const { user, session } = await sessions.access(actor, sessionId, 'act');
      const [problem] = await sessions.problems(session.id, input.problemAlias);
      if (!problem) throw notFound(PROBLEM_NOT_FOUND);
      if (session.status !== 'IN_PROCESS') throw invalid(SESSION_FINISHED);
      if (problem.datasetId === null) throw invalid(NO_DATASET);
      const { cid } = await judge.submit(user, { dataset: problem.datasetId, data: toBase64(input.archive) });
      // PENDING goes out before the row exists: a verdict can only be applied (and RETRIEVED sent) after it.
      await publishRoomFrame(deps, trainingRoom(session.id), {
        type: 'SUBMISSION_VERDICT_PENDING',
        payload: { id: cid, problemAlias: problem.alias },
      });
      await db.execute({
        sql: 'INSERT INTO training_submissions (case_id, session_id, alias, user_id, created_us) VALUES (?, ?, ?, ?, ?)',
        args: [cid, session.id, problem.alias, user.id, now() * 1000],
      });
      await applyVerdict(cid); // judged already, before the row was there
      return { runId: cid };
    },

    async list(actor: User | null, sessionId: string): Promise<TrainingSubmission[]> {
      const { session } = await sessions.access(actor, sessionId, 'read');
      return list(session.id);
    },

    async forProblem(actor: User | null, sessionId: string, alias: string): Promise<TrainingSubmission[]> {
      const { session } = await sessions.access(actor, sessionId, 'read');
      if ((await sessions.problems(session.id, alias)).length === 0) throw notFound(PROBLEM_NOT_FOUND);
      return list(session.id, alias);
    },

    async get(actor: User | null, sessionId: string, caseId: string): Promise<TrainingSubmission> {
      const { session } = await sessions.access(actor, sessionId, 'read');
      await catchUp(session.id);
      const r = (await db.execute({ sql: `${SELECT} WHERE ts.case_id = ? AND ts.session_id = ?`, args: [caseId, session.id] })).rows[0];
      if (!r) throw notFound(SUBMISSION_NOT_FOUND);
      return rowToSubmission(r);
    },
  };
}
