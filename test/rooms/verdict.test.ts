// A judge verdict reaching the author's training room: a real `ws` socket in the room, a
// submission over REST, a real judge (bwrap sandbox, CARP checker), the frames on the socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, judgeFixture, startTestJudge, type JudgeFixture } from '../judge-service/support.js';
import { contestWithTasks, person } from '../training-api/support.js';
import { connect, wsUrl } from './support.js';

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

describe('the training room of a submission', () => {
  it('gets SUBMISSION_VERDICT_PENDING, then SUBMISSION_VERDICT_RETRIEVED and PROBLEM_STATUS_UPDATED from the judge', async () => {
    const ann = await person(gw, 'rooms-ann');
    const bob = await person(gw, 'rooms-bob');
    const team = (await ann.http.post('/teams', { name: 'Verdicts', members: ['rooms-bob'] })).json;
    const contest = await contestWithTasks(gw, 'Verdict cup', [{ name: 'gdb10', datasetId: fx.datasetId }]);
    const sid = (await ann.http.post('/training-sessions', { team_id: team.id, contest_id: contest.id })).json.id as string;
    // Bob watches the room; ann submits.
    const socket = await connect(wsUrl(gw.url, '/ws/training', { training_session_id: sid, user_id: bob.id, token: bob.token }));
    expect((await socket.json()).type).toBe('USER_JOIN');

    const form = new FormData();
    form.append('file', new Blob([Buffer.from(archive('good'), 'base64')]), 'solver.zip');
    form.append('problem', 'A');
    form.append('compiler', 'python3');
    const r = await ann.http.post(`/training-sessions/${sid}/submissions`, form);
    expect(r.status, r.text).toBe(200);
    const runId = r.json.runId as string;

    expect(await socket.json()).toEqual({ type: 'SUBMISSION_VERDICT_PENDING', payload: { id: runId, problemAlias: 'A' } });
    const { frame: retrieved } = await socket.until('SUBMISSION_VERDICT_RETRIEVED', 60_000);
    expect(retrieved.payload).toMatchObject({ id: runId, problemAlias: 'A', verdict: 'OK' });
    expect(await socket.json()).toEqual({ type: 'PROBLEM_STATUS_UPDATED', payload: { status: 'PASSED', problemAlias: 'A' } });
    await socket.close();
  }, 90_000);
});
