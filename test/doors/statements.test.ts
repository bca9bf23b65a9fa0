import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client as Db } from '../../src/db/types.js';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { contestWithTasks, person } from '../training-api/support.js';

// N+1 guard: a nested GraphQL list runs the same number of SQL statements for 1 child as for 50
// (or as many as a team holds), counted on the real database the gateway opened.

let statements = 0;

/** `target` with every statement it runs counted: execute, each statement of a batch, and the same in its transactions. */
function counting<T extends object>(target: T): T {
  return new Proxy(target, {
    get(t, name) {
      const value: unknown = Reflect.get(t, name, t);
      if (typeof value !== 'function') return value;
      const fn = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(t, args);
      if (name === 'execute' || name === 'executeMultiple') {
        return (...args: unknown[]) => {
          statements += 1;
          return fn(...args);
        };
      }
      if (name === 'batch') {
        return (...args: unknown[]) => {
          statements += (args[0] as unknown[]).length;
          return fn(...args);
        };
      }
      if (name === 'transaction') return async (...args: unknown[]) => counting((await fn(...args)) as object);
      return fn;
    },
  });
}

let gw: TestGateway;
let ann: Awaited<ReturnType<typeof person>>;
let bob: Awaited<ReturnType<typeof person>>;
let rootToken: string;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const PEOPLE = Array.from({ length: 50 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
const MAX_MEMBERS = 16;

/** The statements one GraphQL request runs (the fewest of two runs after a warm-up: the lease sweeper's ticks are not the request's). */
async function measure(token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ statements: number; data: any }> {
  const warm = await gql(gw.url, query, variables, bearer(token));
  expect(warm.errors).toBeUndefined();
  const counts: number[] = [];
  for (let i = 0; i < 2; i++) {
    statements = 0;
    await gql(gw.url, query, variables, bearer(token));
    counts.push(statements);
  }
  return { statements: Math.min(...counts), data: warm.data };
}

async function mutate(token: string, query: string, variables: Record<string, unknown> = {}) {
  const r = await gql(gw.url, query, variables, bearer(token));
  expect(r.errors).toBeUndefined();
  return r.data;
}

beforeAll(async () => {
  gw = await startTestGateway({}, { wrapDatabase: (db: Db) => counting(db) });
  const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
  for (const username of PEOPLE) await root.post('/api/admin/user/add', { username, password: 'pw-123456', type: 200 });
  ann = await person(gw, 'ann');
  bob = await person(gw, 'bob');
  rootToken = (await gql(gw.url, 'mutation($p: String!) { login(username: "root", password: $p) { token } }', { p: ROOT_PASSWORD })).data.login.token;
});
afterAll(() => gw?.stop());

describe('nested GraphQL lists run a bounded number of statements, whatever their length', () => {
  it('teams with their members: 1 team of 1 vs 50 teams of 16', async () => {
    await mutate(ann.token, 'mutation { createTeam(name: "Solo") { id } }');
    for (let i = 0; i < 50; i++) {
      await mutate(bob.token, 'mutation($n: String!, $m: [String!]) { createTeam(name: $n, members: $m) { id } }', {
        n: `Crowd ${i}`,
        m: PEOPLE.slice(0, MAX_MEMBERS - 1),
      });
    }
    const q = '{ myTeams { id name ownerId members { id userId login firstName lastName } } }';
    const one = await measure(ann.token, q);
    const many = await measure(bob.token, q);
    expect(one.data.myTeams.map((t: any) => t.members.length)).toEqual([1]);
    expect(many.data.myTeams.map((t: any) => t.members.length)).toEqual(Array(50).fill(MAX_MEMBERS));
    expect(many.statements).toBe(one.statements);

    const team = 'query($id: Int!) { team(id: $id) { members { login } } }';
    const solo = await measure(ann.token, team, { id: one.data.myTeams[0].id });
    const crowd = await measure(bob.token, team, { id: many.data.myTeams[0].id });
    expect(crowd.data.team.members).toHaveLength(MAX_MEMBERS);
    expect(crowd.statements).toBe(solo.statements);
  });

  it("a training session's problems with their code and assignees, and its comments: 1 vs 50", async () => {
    const teamId = (await mutate(ann.token, '{ myTeams { id } }')).myTeams[0].id;
    const sessionOn = async (tasks: number) => {
      const contest = await contestWithTasks(
        gw,
        `Cup of ${tasks}`,
        Array.from({ length: tasks }, (_, i) => ({ name: `task ${i}` })),
      );
      const start = 'mutation($t: Int!, $c: Int!) { startTraining(teamId: $t, contestId: $c) { id problems { alias } } }';
      const s = (await mutate(ann.token, start, { t: teamId, c: contest.id })).startTraining;
      for (const { alias } of s.problems) {
        // What the room's sockets record: the editor's code and who the problem is assigned to.
        await gw.services.training.recordFrame('training', s.id, {
          type: 'CODE_EDITOR_UPDATE',
          payload: { code: `# ${alias}`, problemAlias: alias },
        });
        await gw.services.training.recordFrame('training', s.id, {
          type: 'PROBLEM_ASSIGNED',
          payload: { user: { id: ann.id }, problemAlias: alias },
        });
      }
      const comment = 'mutation($s: ID!, $c: String!) { sendTrainingComment(sessionId: $s, alias: "A", content: $c) { id } }';
      for (let i = 0; i < tasks; i++) await mutate(ann.token, comment, { s: s.id, c: `note ${i}` });
      return s.id as string;
    };
    const q = `query($id: ID!) { trainingSession(id: $id) {
      problems { alias name status attempts assignedUser code }
      comments(alias: "A") { id userLogin content }
    } }`;
    const oneId = await sessionOn(1);
    const one = await measure(ann.token, q, { id: oneId });
    const many = await measure(ann.token, q, { id: await sessionOn(50) });
    expect(one.data.trainingSession.problems).toEqual([
      { alias: 'A', name: 'task 0', status: 'NOT_STARTED', attempts: 0, assignedUser: JSON.stringify({ id: ann.id }), code: '# A' },
    ]);
    expect(many.data.trainingSession.problems).toHaveLength(50);
    expect(many.data.trainingSession.problems.map((p: any) => p.code)).toEqual(many.data.trainingSession.problems.map((p: any) => `# ${p.alias}`));
    expect(many.data.trainingSession.comments).toHaveLength(50);
    expect(many.statements).toBe(one.statements);

    // Loaders are per request: the next request reads the code anew, and another person's request is checked as theirs.
    await gw.services.training.recordFrame('training', oneId, { type: 'CODE_EDITOR_UPDATE', payload: { code: 'changed', problemAlias: 'A' } });
    const codes = `query($id: ID!) { trainingSession(id: $id) { problems { code } } }`;
    expect((await gql(gw.url, codes, { id: oneId }, bearer(ann.token))).data.trainingSession.problems).toEqual([{ code: 'changed' }]);
    expect((await gql(gw.url, codes, { id: oneId }, bearer(bob.token))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("a contest's tasks and the standings' participants with their task scores: 1 vs 50", async () => {
    const small = await contestWithTasks(gw, 'Small', [{ name: 'only' }]);
    const big = await contestWithTasks(
      gw,
      'Big',
      Array.from({ length: 50 }, (_, i) => ({ name: `t${i}` })),
    );
    const add = 'mutation($c: Int!, $u: String!) { addParticipant(contestId: $c, username: $u) }';
    await mutate(rootToken, add, { c: small.id, u: PEOPLE[0] });
    for (const u of PEOPLE) await mutate(rootToken, add, { c: big.id, u });

    const tasks = 'query($id: Int!) { contest(id: $id) { tasks { id name scorePrecision } } }';
    const one = await measure(ann.token, tasks, { id: small.id });
    const many = await measure(ann.token, tasks, { id: big.id });
    expect(many.data.contest.tasks).toHaveLength(50);
    expect(many.statements).toBe(one.statements);

    const list = await measure(ann.token, '{ contests { id tasks { id } } }');
    expect(list.data.contests.length).toBeGreaterThan(2);
    expect(list.statements).toBe(one.statements);

    const standings = 'query($c: Int!) { contestStandings(contestId: $c) { userId username score tasks { taskId score } } }';
    const alone = await measure(rootToken, standings, { c: small.id });
    const crowd = await measure(rootToken, standings, { c: big.id });
    expect(crowd.data.contestStandings).toHaveLength(50);
    expect(crowd.data.contestStandings[0].tasks).toHaveLength(50);
    expect(crowd.statements).toBe(alone.statements);
  });
});
