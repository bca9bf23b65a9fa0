import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, judgeFixture, startTestJudge, waitFor, type JudgeFixture, type SOLVERS } from '../judge-service/support.js';
import { contestWithTasks, expectDetail, person, roomFrames, tick } from './support.js';

let gw: TestGateway;
let fx: JudgeFixture;
let judge: ReturnType<typeof startTestJudge>;

beforeAll(async () => {
  gw = await startTestGateway();
  fx = await judgeFixture(gw, 5);
  judge = startTestJudge(gw.url);
});
afterAll(async () => {
  await judge?.stop();
  await gw?.stop();
});

const VERDICT_KEYS = [
  'compileLog',
  'compiler',
  'diff',
  'problemAlias',
  'problemId',
  'score',
  'source',
  'submissionTime',
  'timeFromStart',
  'verdict',
  'id',
];

describe('a training submission judged for real (bwrap sandbox, CARP checker)', () => {
  it('PENDING, then RETRIEVED and PROBLEM_STATUS_UPDATED in the room; attempts count; a pass is never downgraded', async () => {
    const ann = await person(gw, 'ann');
    const team = (await ann.http.post('/teams', { name: 'Solvers' })).json;
    const contest = await contestWithTasks(gw, 'CARP cup', [
      { name: 'gdb10', datasetId: fx.datasetId },
      { name: 'gdb10 again', datasetId: fx.datasetId },
    ]);
    const sid = (await ann.http.post('/training-sessions', { team_id: team.id, contest_id: contest.id })).json.id as string;
    const room = `training:${sid}`;
    const bus = roomFrames(gw);

    const submit = async (solver: keyof typeof SOLVERS, problem: string) => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from(archive(solver), 'base64')]), 'solver.zip');
      form.append('problem', problem);
      form.append('compiler', 'python3');
      const r = await ann.http.post(`/training-sessions/${sid}/submissions`, form);
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.json)).toEqual(['runId']);
      return r.json.runId as string;
    };
    const settled = (runId: string) =>
      waitFor(
        `the verdict of ${runId}`,
        async () => {
          const frames = bus.of(room);
          const at = frames.findIndex((f) => f.type === 'SUBMISSION_VERDICT_RETRIEVED' && (f.payload as { id: string }).id === runId);
          return at >= 0 && frames[at + 1] ? ([frames[at]!, frames[at + 1]!] as const) : null;
        },
        60_000,
      );

    // A good route: OK, the problem PASSED.
    const good = await submit('good', 'A');
    const [retrieved, updated] = await settled(good);
    const frames = bus.of(room);
    expect(frames[0]).toEqual({ type: 'SUBMISSION_VERDICT_PENDING', payload: { id: good, problemAlias: 'A' } });
    expect(Object.keys(retrieved.payload as object)).toEqual(VERDICT_KEYS);
    expect(retrieved.payload).toEqual({
      compileLog: '',
      compiler: 'carp-solver',
      diff: '',
      problemAlias: 'A',
      problemId: contest.taskIds[0],
      score: 100,
      source: '',
      submissionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      timeFromStart: expect.any(Number),
      verdict: 'OK',
      id: good,
    });
    expect(updated).toEqual({ type: 'PROBLEM_STATUS_UPDATED', payload: { status: 'PASSED', problemAlias: 'A' } });
    expect(frames.indexOf(retrieved)).toBeGreaterThan(0);

    // A later invalid route on the same problem: WA, attempts 2, still PASSED.
    const bad = await submit('invalid', 'A');
    const [r2, u2] = await settled(bad);
    expect(r2.payload).toMatchObject({ verdict: 'WA', score: 0, problemAlias: 'A', id: bad });
    expect(u2).toEqual({ type: 'PROBLEM_STATUS_UPDATED', payload: { status: 'PASSED', problemAlias: 'A' } });

    // A crashing solver on B: RE, FAILED.
    const crash = await submit('exits1', 'B');
    const [r3, u3] = await settled(crash);
    expect(r3.payload).toMatchObject({ verdict: 'RE', problemAlias: 'B' });
    expect(u3).toEqual({ type: 'PROBLEM_STATUS_UPDATED', payload: { status: 'FAILED', problemAlias: 'B' } });
    bus.stop();

    // Each verdict was applied once: three PENDING, three RETRIEVED, three updates.
    const types = bus.of(room).map((f) => f.type);
    expect(types.filter((t) => t === 'SUBMISSION_VERDICT_PENDING')).toHaveLength(3);
    expect(types.filter((t) => t === 'SUBMISSION_VERDICT_RETRIEVED')).toHaveLength(3);
    expect(types.filter((t) => t === 'PROBLEM_STATUS_UPDATED')).toHaveLength(3);

    // Read back over REST.
    expect((await ann.http.get(`/contests/${sid}/problems/A`)).json).toEqual({ problemAlias: 'A', status: 'PASSED', attempts: 2 });
    expect((await ann.http.get(`/contests/${sid}/problems/B`)).json).toEqual({ problemAlias: 'B', status: 'FAILED', attempts: 1 });
    const list = (await ann.http.get(`/training-sessions/${sid}/submissions/`)).json;
    expect(list.count).toBe(3);
    expect(list.submissions.map((s: { id: string; verdict: string }) => [s.id, s.verdict])).toEqual([
      [crash, 'RE'],
      [bad, 'WA'],
      [good, 'OK'],
    ]);
    expect((await ann.http.get(`/training-sessions/${sid}/submissions/problem/A`)).json.count).toBe(2);
    const full = (await ann.http.get(`/training-sessions/${sid}/submissions/${good}/full`)).json;
    expect(full).toMatchObject({
      id: good,
      verdict: 'OK',
      status: 3,
      valid: true,
      cost: 298,
      reason: 'Solution Accepted.',
      author: 'ann',
      timedout: false,
      exitcode: 0,
    });
    expect((await ann.http.get(`/training-sessions/${sid}/submissions/${good}`)).json).toEqual(full);
    // A verdict is applied once, however many times (or on however many nodes) its event arrives.
    const again = roomFrames(gw);
    await Promise.all([1, 2, 3, 4, 5].map(() => gw.services.training.submissions.applyVerdict(good)));
    await tick();
    again.stop();
    expect(again.frames).toEqual([]);
    expect((await ann.http.get(`/contests/${sid}/problems/A`)).json.attempts).toBe(2);

    // Outsiders do not read the session's submissions.
    const other = await person(gw, 'zed');
    expectDetail(await other.http.get(`/training-sessions/${sid}/submissions/${good}`), 403);
  });
});
