import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../helpers/doors.js';
import type { TestGateway } from '../helpers/gateway.js';
import {
  createUser,
  getUser,
  gqlOk,
  insertCase,
  insertDataset,
  makeContest,
  rootToken,
  setScore,
  startIntegrationGateway,
  tokenFor,
} from './support.js';

// Task scores computed live from the judge's FINISHED cases (written here as the judge writes
// them): 100 x reference / own best valid cost, capped at 100, 0 without a valid case; the
// reference is the dataset's best-known cost, else the best valid cost anyone has. Each task
// score is rounded as Python 2's round(); the contest score is their float sum, not re-rounded.

let gw: TestGateway;
let token: string;
let contestId: number;
let tasks: { routesA: number; routesB: number; essay1: number; essay2: number };
let datasets: { a: string; b: string };

/** get_user's contest part, as bytes. */
const contestPart = async (username: string) => {
  const text = (await getUser(gw, `username=${username}&contest_id=${contestId}`)).text;
  return /"contest": (\{.*?\}), "timezone"/.exec(text)![1];
};
const part = (scores: [number, string][], total: string) =>
  `{"tasks": [${scores.map(([id, s]) => `{"score": ${s}, "task_id": ${id}}`).join(', ')}], "contest_id": ${contestId}, "score": ${total}}`;

beforeAll(async () => {
  gw = await startIntegrationGateway();
  token = await rootToken(gw);
  datasets = { a: await insertDataset(gw, 'egl-s1-A', 100), b: await insertDataset(gw, 'egl-s1-B', null) };
  const made = await makeContest(gw, token, 'Finals', [
    { name: 'routes A', datasetId: datasets.a },
    { name: 'routes B', datasetId: datasets.b, scorePrecision: 2 },
    { name: 'essay 1', scorePrecision: 1 },
    { name: 'essay 2', scorePrecision: 1 },
  ]);
  contestId = made.contestId;
  const [routesA, routesB, essay1, essay2] = made.taskIds as [number, number, number, number];
  tasks = { routesA, routesB, essay1, essay2 };
  for (const u of ['alice', 'bob', 'carol']) await createUser(gw, { username: u, password: `${u}-pw`, contest_id: contestId });

  // alice: her best valid finished case on A costs 125; worse, invalid and unfinished ones do not count.
  await insertCase(gw, { username: 'alice', datasetId: datasets.a, cost: 200 });
  await insertCase(gw, { username: 'alice', datasetId: datasets.a, cost: 125 });
  await insertCase(gw, { username: 'alice', datasetId: datasets.a, cost: 50, valid: false });
  await insertCase(gw, { username: 'alice', datasetId: datasets.a, cost: 60, status: 2 });
  // bob beats the best-known cost (100): capped at 100.
  await insertCase(gw, { username: 'bob', datasetId: datasets.a, cost: 90 });
  // B has no best-known cost: the reference is the best anyone has (bob's 200).
  await insertCase(gw, { username: 'alice', datasetId: datasets.b, cost: 300 });
  await insertCase(gw, { username: 'bob', datasetId: datasets.b, cost: 200 });
  for (const u of ['alice', 'bob']) {
    await setScore(gw, token, tasks.essay1, u, 0.1);
    await setScore(gw, token, tasks.essay2, u, 0.2);
  }
});

afterAll(() => gw?.stop());

describe('live task scores', () => {
  it('best-known reference, capping, the best cost as reference, admin scores; the sum not re-rounded', async () => {
    // alice: 100 x 100/125 = 80.0; 100 x 200/300 = 66.666.. -> 66.67; 0.1; 0.2 -> 146.97.
    expect(await contestPart('alice')).toBe(
      part(
        [
          [tasks.routesA, '80.0'],
          [tasks.routesB, '66.67'],
          [tasks.essay1, '0.1'],
          [tasks.essay2, '0.2'],
        ],
        '146.97',
      ),
    );
    // bob: 100 x 100/90 capped at 100.0; 100.0; 0.1 + 0.2 -> Python's 200.29999999999998.
    expect(await contestPart('bob')).toBe(
      part(
        [
          [tasks.routesA, '100.0'],
          [tasks.routesB, '100.0'],
          [tasks.essay1, '0.1'],
          [tasks.essay2, '0.2'],
        ],
        '200.29999999999998',
      ),
    );
    // carol: no valid case, no score set.
    expect(await contestPart('carol')).toBe(
      part(
        [
          [tasks.routesA, '0.0'],
          [tasks.routesB, '0.0'],
          [tasks.essay1, '0.0'],
          [tasks.essay2, '0.0'],
        ],
        '0.0',
      ),
    );
  });

  it("a new better judge result changes the scores at once (hers, and others' through the reference)", async () => {
    await insertCase(gw, { username: 'alice', datasetId: datasets.a, cost: 100 });
    await insertCase(gw, { username: 'alice', datasetId: datasets.b, cost: 150 });
    // B's reference is now alice's 150: alice 100.0, bob 100 x 150/200 = 75.0.
    expect(await contestPart('alice')).toBe(
      part(
        [
          [tasks.routesA, '100.0'],
          [tasks.routesB, '100.0'],
          [tasks.essay1, '0.1'],
          [tasks.essay2, '0.2'],
        ],
        '200.29999999999998',
      ),
    );
    expect(await contestPart('bob')).toContain(`{"score": 75.0, "task_id": ${tasks.routesB}}`);
  });

  it("rounding is Python 2's: halves away from zero, on the exact binary value", async () => {
    const { contestId: c, taskIds } = await makeContest(gw, token, 'Rounding', [
      { name: 'p0', scorePrecision: 0 },
      { name: 'p2', scorePrecision: 2 },
      { name: 'p2b', scorePrecision: 2 },
    ]);
    await createUser(gw, { username: 'dora', password: 'dora-pw', contest_id: c });
    await setScore(gw, token, taskIds[0]!, 'dora', 12.5); // -> 13.0
    await setScore(gw, token, taskIds[1]!, 'dora', 2.675); // 2.67499999.. -> 2.67
    await setScore(gw, token, taskIds[2]!, 'dora', 0.125); // exactly half -> 0.13
    const text = (await getUser(gw, `username=dora&contest_id=${c}`)).text;
    expect(text).toContain(
      `"contest": {"tasks": [{"score": 13.0, "task_id": ${taskIds[0]}}, {"score": 2.67, "task_id": ${taskIds[1]}}, {"score": 0.13, "task_id": ${taskIds[2]}}], "contest_id": ${c}, "score": 15.8}`,
    );
  });

  it('a task linked to a dataset takes no admin score; only admins set scores', async () => {
    const linked = await gql(
      gw.url,
      'mutation($t: Int!) { setTaskScore(taskId: $t, username: "alice", score: 5) { score } }',
      { t: tasks.routesA },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(linked.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const alice = await tokenFor(gw, 'alice', 'alice-pw');
    const byUser = await gql(
      gw.url,
      'mutation($t: Int!) { setTaskScore(taskId: $t, username: "alice", score: 100) { score } }',
      { t: tasks.essay1 },
      {
        authorization: `Bearer ${alice}`,
      },
    );
    expect(byUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await contestPart('alice')).toContain(`{"score": 0.1, "task_id": ${tasks.essay1}}`);
  });

  it('standings: every participant, as get_user computes them (admins)', async () => {
    const s = (
      await gqlOk(gw, token, 'query($c: Int!) { contestStandings(contestId: $c) { username score tasks { taskId score } } }', { c: contestId })
    ).contestStandings;
    expect(s.map((x: { username: string }) => x.username)).toEqual(['alice', 'bob', 'carol']);
    expect(s[1].tasks.find((t: { taskId: number }) => t.taskId === tasks.routesB).score).toBe(75);
  });
});
