import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { contestWithTasks, person, roomFrames, tick } from './support.js';

let gw: TestGateway;
let ann: Awaited<ReturnType<typeof person>>;
let eve: Awaited<ReturnType<typeof person>>;
let teamId: number;
let sid: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  gw = await startTestGateway();
  ann = await person(gw, 'ann');
  await person(gw, 'bob');
  eve = await person(gw, 'eve');
});
afterAll(() => gw?.stop());

const ROOM_STATE = `query($id: ID!) { trainingSession(id: $id) {
  id teamId contestId status dtCreated controller online
  problems { alias taskId name datasetId status attempts assignedUser code }
} }`;

describe('GraphQL and tRPC: the same teams, sessions and room state as REST', () => {
  it('a team made over GraphQL, a session started over tRPC, TRAINING_STARTED on the bus', async () => {
    const made = await gql(
      gw.url,
      'mutation { createTeam(name: "Hawks", members: ["bob"]) { id name ownerId members { login } } }',
      {},
      bearer(ann.token),
    );
    expect(made.errors).toBeUndefined();
    teamId = made.data.createTeam.id;
    expect(made.data.createTeam).toEqual({ id: teamId, name: 'Hawks', ownerId: ann.id, members: [{ login: 'ann' }, { login: 'bob' }] });
    expect(await trpc(gw.url, bearer(ann.token)).training.teams.get.query({ id: teamId })).toEqual((await ann.http.get(`/teams/${teamId}`)).json);

    const contest = await contestWithTasks(gw, 'Spring cup', [{ name: 'one' }, { name: 'two' }]);
    const bus = roomFrames(gw);
    const s = await trpc(gw.url, bearer(ann.token)).training.sessions.start.mutate({ teamId, contestId: contest.id });
    sid = s.id;
    await tick();
    bus.stop();
    expect(bus.of(`lobby:${teamId}`)).toEqual([
      { type: 'TRAINING_STARTED', payload: { id: sid, status: 'IN_PROCESS', dtCreated: expect.any(String) } },
    ]);
    const rest = (await ann.http.get(`/training-sessions/${sid}`)).json;
    expect(s.dtCreated).toBe(rest.dt_created);
  });

  it('room state (code, controller, assignments, online, status) reads the same on all three doors', async () => {
    const t = gw.services.training;
    await t.recordFrame('training', sid, { type: 'CODE_EDITOR_UPDATE', payload: { code: 'x = 1', problemAlias: 'B' } });
    await t.recordFrame('training', sid, { type: 'CONTROL_TAKEN', payload: { userId: '77' } });
    await t.recordFrame('training', sid, { type: 'USER', payload: { user: { id: '77', name: 'Ann' } } });
    await t.recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: { id: '77' }, problemAlias: 'A' } });
    await t.recordFrame('lobby', String(teamId), { type: 'USER', payload: { user: { id: '78' } } });

    const g = (await gql(gw.url, ROOM_STATE, { id: sid }, bearer(ann.token))).data.trainingSession;
    const state = await trpc(gw.url, bearer(ann.token)).training.sessions.state.query({ id: sid });
    const rest = {
      session: (await ann.http.get(`/training-sessions/${sid}`)).json,
      problems: (await ann.http.get(`/contests/${sid}/problems`)).json.problems,
      code: await Promise.all(['A', 'B'].map(async (a) => (await ann.http.get(`/training-sessions/${sid}/code/${a}`)).json.code)),
      controller: (await ann.http.get(`/training-sessions/${sid}/control/current`)).json.userId,
      online: (await ann.http.get(`/training-sessions/${sid}/online`)).json.users,
      lobby: (await ann.http.get(`/teams/${teamId}/online`)).json.users,
    };
    expect(rest.code).toEqual(['', 'x = 1']);
    expect(rest.controller).toBe('77');

    expect(g).toMatchObject({ id: sid, teamId, status: rest.session.status, dtCreated: rest.session.dt_created, controller: rest.controller });
    expect(g.online.map((u: string) => JSON.parse(u))).toEqual(rest.online);
    expect(g.problems).toEqual(
      rest.problems.map((p: any, i: number) => ({
        alias: p.alias,
        taskId: p.id,
        name: p.name,
        datasetId: p.datasetId,
        status: p.status,
        attempts: p.attempts,
        assignedUser: p.assignedUser === null ? null : JSON.stringify(p.assignedUser),
        code: rest.code[i],
      })),
    );
    expect(state.session).toMatchObject({ id: sid, status: rest.session.status, dtCreated: rest.session.dt_created });
    expect(state.controller).toBe(rest.controller);
    expect(state.online).toEqual(rest.online);
    expect(
      state.problems.map((p) => ({ alias: p.alias, status: p.status, attempts: p.attempts, assignedUser: p.assignedUser, code: p.code })),
    ).toEqual(
      rest.problems.map((p: any, i: number) => ({
        alias: p.alias,
        status: p.status,
        attempts: p.attempts,
        assignedUser: p.assignedUser,
        code: rest.code[i],
      })),
    );
    const lobbyG = (await gql(gw.url, 'query($t: Int!) { lobbyOnline(teamId: $t) }', { t: teamId }, bearer(ann.token))).data.lobbyOnline;
    expect(lobbyG.map((u: string) => JSON.parse(u))).toEqual(rest.lobby);
    expect(await trpc(gw.url, bearer(ann.token)).training.teams.online.query({ teamId })).toEqual(rest.lobby);
  });

  it('refuses the same callers on every door', async () => {
    const g = await gql(gw.url, ROOM_STATE, { id: sid }, bearer(eve.token));
    expect(g.errors?.[0]?.message).toBe('Вы не состоите в этой команде');
    await expect(trpc(gw.url, bearer(eve.token)).training.sessions.state.query({ id: sid })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect((await eve.http.get(`/training-sessions/${sid}`)).status).toBe(403);
    await expect(trpc(gw.url).training.sessions.get.query({ id: sid })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect((await gql(gw.url, ROOM_STATE, { id: sid })).errors?.[0]?.message).toBe('Not authenticated');
    await expect(trpc(gw.url, bearer(ann.token)).training.sessions.get.query({ id: crypto.randomUUID() })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
      message: 'Сессия не найдена',
    });
  });

  it('comments and completion through GraphQL and tRPC reach REST and the room', async () => {
    const bus = roomFrames(gw);
    const c = await trpc(gw.url, bearer(ann.token)).training.comments.send.mutate({ sessionId: sid, alias: 'A', content: 'hello' });
    const viaGql = await gql(
      gw.url,
      'mutation($s: ID!) { sendTrainingComment(sessionId: $s, alias: "A", content: "again") { id userLogin content dtCreated } }',
      { s: sid },
      bearer(ann.token),
    );
    expect(viaGql.data.sendTrainingComment).toMatchObject({ userLogin: 'ann', content: 'again' });
    const rest = (await ann.http.get(`/training-sessions/${sid}/problem/A/comments/`)).json;
    expect(rest).toEqual([c, expect.objectContaining(viaGql.data.sendTrainingComment)]);
    const g = (
      await gql(gw.url, 'query($id: ID!) { trainingSession(id: $id) { comments(alias: "A") { id content } } }', { id: sid }, bearer(ann.token))
    ).data;
    expect(g.trainingSession.comments).toEqual(rest.map((x: any) => ({ id: x.id, content: x.content })));

    const done = await gql(gw.url, 'mutation($id: ID!) { completeTraining(id: $id) { status } }', { id: sid }, bearer(ann.token));
    expect(done.data.completeTraining.status).toBe('FINISHED');
    expect((await ann.http.get(`/training-sessions/${sid}`)).json.status).toBe('FINISHED');
    await expect(trpc(gw.url, bearer(ann.token)).training.sessions.running.query({ teamId })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await tick();
    bus.stop();
    expect(bus.of(`training:${sid}`).map((f) => f.type)).toEqual(['PROBLEM_COMMENT_RECEIVED', 'PROBLEM_COMMENT_RECEIVED', 'TRAINING_FINISHED']);
  });
});
