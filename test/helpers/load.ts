import { readResult } from './http.js';

/** The longest any answer may take, a part of the system down or not: past it the request hangs. */
export const ANSWER_WITHIN_MS = 10_000;

/** One request of a load: when it was asked and answered, and what it said. */
export interface Answer {
  what: string;
  started: number;
  ended: number;
  /** 0: no answer within ANSWER_WITHIN_MS (or none at all). */
  status: number;
  text: string;
  json: any;
}

export const describeAnswer = (a: Answer) => `${a.what}: ${a.status} ${a.text.slice(0, 300)}`;

/** One request with a deadline of ANSWER_WITHIN_MS. */
export async function timedFetch(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = Date.now();
  const what = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
  try {
    const r = await readResult(await fetch(url, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) }));
    return { what, started, ended: Date.now(), status: r.status, text: r.text, json: r.json };
  } catch (err) {
    return { what, started, ended: Date.now(), status: 0, text: String(err), json: undefined };
  }
}

/**
 * A steady load: each step repeated in its own lane, one at a time with a short pause between
 * (refusals come fast: the pause keeps the rate even), until `stop()`.
 */
export function startLanes(steps: (() => Promise<void>)[], paceMs = 20): { stop(): Promise<void> } {
  let stopping = false;
  const lanes = Promise.all(
    steps.map(async (step) => {
      while (!stopping) {
        await step();
        await new Promise((r) => setTimeout(r, paceMs));
      }
    }),
  );
  return {
    async stop() {
      stopping = true;
      await lanes;
    },
  };
}
