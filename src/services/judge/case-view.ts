/** Spec 004's CARPCase as every door shows it (times in epoch ms; each door formats them). */
export interface CaseView {
  id: string;
  status: number;
  submitTime: number;
  judgeTime: number | null;
  timedout: boolean;
  outOverflow: boolean;
  errOverflow: boolean;
  time: number;
  exitcode: number;
  valid: boolean;
  cost: number;
  reason: string | null;
  datasetId: string;
  userId: string;
  workerName: string | null;
}

export const CaseStatus = { WAITING: 0, QUEUED: 1, RUNNING: 2, FINISHED: 3, ERROR: 4 } as const;

export const CASE_VIEW_SELECT = `SELECT c.id, c.status, c.submit_time, c.judge_time, c.timedout, c.out_overflow,
  c.err_overflow, c.time, c.exitcode, c.valid, c.cost, c.reason, c.dataset_id, c.user_id, w.username AS worker_name
  FROM cases c LEFT JOIN users w ON w.id = c.judge_worker`;

export function rowToCaseView(r: Record<string, unknown>): CaseView {
  return {
    id: String(r.id),
    status: Number(r.status),
    submitTime: Number(r.submit_time),
    judgeTime: r.judge_time === null ? null : Number(r.judge_time),
    timedout: Boolean(r.timedout),
    outOverflow: Boolean(r.out_overflow),
    errOverflow: Boolean(r.err_overflow),
    time: Number(r.time),
    exitcode: Number(r.exitcode),
    valid: Boolean(r.valid),
    cost: Number(r.cost),
    reason: r.reason === null ? null : String(r.reason),
    datasetId: String(r.dataset_id),
    userId: String(r.user_id),
    workerName: r.worker_name === null ? null : String(r.worker_name),
  };
}

export interface LeaderboardEntry {
  userName: string;
  datasetId: string;
  submitTime: number;
  time: number;
  cost: number;
}
