import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JudgeType } from '../../src/identity/roles.js';
import { ROOM_TOPIC, publishRoomFrame, type RoomFrameMessage } from '../../src/bus/room-frames.js';
import { ROOM_LIMITS } from '../../src/services/training/rooms.js';
import type { User } from '../../src/services/users.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** The contract the socket host builds on: canJoin, recordFrame, userLeft, and room frames on the bus. */
describe('training rooms contract', () => {
  let gw: TestGateway;
  let ann: User;
  let bob: User;
  let eve: User;
  let teamId: number;
  let sid: string;

  const svc = () => gw.services.training;
  const one = async (sql: string, args: (string | number)[] = []) => (await gw.services.deps.db.execute({ sql, args })).rows[0];

  beforeAll(async () => {
    gw = await startTestGateway();
    const mk = (username: string) => gw.services.users.create({ username, password: 'pw-123456', judgeType: JudgeType.USER });
    [ann, bob, eve] = await Promise.all([mk('ann'), mk('bob'), mk('eve')]);
    const team = await svc().teams.create(ann, { name: 'Owls', members: ['bob'] });
    teamId = team.id;
    // A session with two problems, written as the sessions service does (A, B).
    const db = gw.services.deps.db;
    const root = (await gw.services.users.byUsername('root'))!;
    const contest = await gw.services.contests.create(root, { name: 'Cup' });
    const t1 = await gw.services.contests.addTask(root, { contestId: contest.id, name: 'one' });
    const t2 = await gw.services.contests.addTask(root, { contestId: contest.id, name: 'two' });
    sid = crypto.randomUUID();
    await db.execute({
      sql: "INSERT INTO training_sessions (id, team_id, contest_id, status, created_us) VALUES (?, ?, ?, 'IN_PROCESS', ?)",
      args: [sid, teamId, contest.id, Date.now() * 1000],
    });
    for (const [i, t] of [t1, t2].entries()) {
      await db.execute({
        sql: 'INSERT INTO training_problems (session_id, alias, task_id, position) VALUES (?, ?, ?, ?)',
        args: [sid, 'AB'[i]!, t.id, i],
      });
    }
  });
  afterAll(() => gw.stop());

  it("canJoin: members of the team (lobby) and of the session's team (training), nobody else", async () => {
    expect(await svc().canJoin('lobby', String(teamId), ann)).toBe(true);
    expect(await svc().canJoin('lobby', String(teamId), bob)).toBe(true);
    expect(await svc().canJoin('lobby', String(teamId), eve)).toBe(false);
    expect(await svc().canJoin('lobby', '999', ann)).toBe(false);
    expect(await svc().canJoin('lobby', 'x', ann)).toBe(false);
    expect(await svc().canJoin('lobby', '', ann)).toBe(false);
    expect(await svc().canJoin('training', sid, bob)).toBe(true);
    expect(await svc().canJoin('training', sid.toUpperCase(), bob)).toBe(true);
    expect(await svc().canJoin('training', sid, eve)).toBe(false);
    expect(await svc().canJoin('training', crypto.randomUUID(), ann)).toBe(false);
    expect(await svc().canJoin('training', 'not-a-uuid', ann)).toBe(false);
    expect(await svc().canJoin('training', String(teamId), ann)).toBe(false);
  });

  it('CODE_EDITOR_UPDATE keeps the code per problem; bad frames are ignored without throwing', async () => {
    await svc().recordFrame('training', sid, { type: 'CODE_EDITOR_UPDATE', payload: { code: "print('hello')", problemAlias: 'A' } });
    const code = async (alias: string) => (await one('SELECT code FROM training_code WHERE session_id = ? AND alias = ?', [sid, alias]))?.code;
    expect(await code('A')).toBe("print('hello')");
    for (const payload of [
      { code: 1, problemAlias: 'A' },
      { code: 'x' },
      { problemAlias: 'A' },
      { code: 'x', problemAlias: 'Z' },
      { code: 'x', problemAlias: 1 },
      { code: 'x'.repeat(ROOM_LIMITS.codeBytes + 1), problemAlias: 'A' },
      null,
      'text',
      [1, 2],
    ]) {
      await svc().recordFrame('training', sid, { type: 'CODE_EDITOR_UPDATE', payload });
    }
    await svc().recordFrame('training', sid, null as never);
    await svc().recordFrame('training', sid, { type: 5, payload: {} } as never);
    await svc().recordFrame('training', 'nope', { type: 'CODE_EDITOR_UPDATE', payload: { code: 'x', problemAlias: 'A' } });
    expect(await code('A')).toBe("print('hello')");
    expect(await code('Z')).toBeUndefined();
    await svc().recordFrame('training', sid.toUpperCase(), { type: 'CODE_EDITOR_UPDATE', payload: { code: 'v2', problemAlias: 'A' } });
    expect(await code('A')).toBe('v2');
  });

  it('CONTROL_TAKEN keeps who holds the editor (a string id; an integer reads back as its string)', async () => {
    const ctl = async () => (await one('SELECT user_id FROM training_controllers WHERE session_id = ?', [sid]))?.user_id;
    await svc().recordFrame('training', sid, { type: 'CONTROL_TAKEN', payload: { userId: '823768129' } });
    expect(await ctl()).toBe('823768129');
    await svc().recordFrame('training', sid, { type: 'CONTROL_TAKEN', payload: { userId: 42 } });
    expect(await ctl()).toBe('42');
    for (const payload of [{}, { userId: null }, { userId: {} }, { userId: 1.5 }, { userId: '' }, { userId: 'x'.repeat(ROOM_LIMITS.idChars + 1) }]) {
      await svc().recordFrame('training', sid, { type: 'CONTROL_TAKEN', payload });
    }
    expect(await ctl()).toBe('42');
    await svc().recordFrame('training', crypto.randomUUID(), { type: 'CONTROL_TAKEN', payload: { userId: '1' } });
    expect((await one('SELECT COUNT(*) AS n FROM training_controllers'))!.n).toBe(1);
  });

  it('PROBLEM_ASSIGNED keeps the user on the problem; null clears it', async () => {
    const assigned = async (alias: string) =>
      (await one('SELECT assigned_user FROM training_problems WHERE session_id = ? AND alias = ?', [sid, alias]))!.assigned_user;
    await svc().recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: { id: '7', login: 'bob' }, problemAlias: 'B' } });
    expect(JSON.parse(String(await assigned('B')))).toEqual({ id: '7', login: 'bob' });
    await svc().recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { problemAlias: 'B' } });
    await svc().recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: { id: 1 } } });
    await svc().recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: { big: 'x'.repeat(5000) }, problemAlias: 'B' } });
    await svc().recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: { id: 1 }, problemAlias: 'Q' } });
    expect(JSON.parse(String(await assigned('B')))).toEqual({ id: '7', login: 'bob' });
    expect(await assigned('A')).toBeNull();
    await svc().recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: null, problemAlias: 'B' } });
    expect(await assigned('B')).toBeNull();
  });

  it('USER frames make the online list, deduplicated by id (string compare); userLeft drops one', async () => {
    const u1 = { id: '1', login: 'ann' };
    await svc().recordFrame('training', sid, { type: 'USER', payload: { user: u1 } });
    await svc().recordFrame('training', sid, { type: 'USER', payload: { user: { id: 2, login: 'bob' } } });
    await svc().recordFrame('training', sid, { type: 'USER', payload: { user: { id: '1', login: 'ann2' } } });
    for (const payload of [{}, { user: 'ann' }, { user: { login: 'no id' } }, { user: { id: null } }, { user: [1] }]) {
      await svc().recordFrame('training', sid, { type: 'USER', payload });
    }
    expect(await svc().rooms.online('training', sid)).toEqual([
      { id: '1', login: 'ann2' },
      { id: 2, login: 'bob' },
    ]);
    await svc().userLeft('training', sid, '2');
    await svc().userLeft('training', sid, 'nobody');
    await svc().userLeft('training', 'bad', '1');
    expect(await svc().rooms.online('training', sid)).toEqual([{ id: '1', login: 'ann2' }]);

    // The lobby's list is its own; other types are not kept in a lobby.
    await svc().recordFrame('lobby', String(teamId), { type: 'USER', payload: { user: { id: '5' } } });
    await svc().recordFrame('lobby', String(teamId), { type: 'CONTROL_TAKEN', payload: { userId: '5' } });
    await svc().recordFrame('lobby', '999', { type: 'USER', payload: { user: { id: '6' } } });
    expect(await svc().rooms.online('lobby', String(teamId))).toEqual([{ id: '5' }]);
    expect(await svc().rooms.online('lobby', '999')).toEqual([]);
    expect(await svc().rooms.online('training', sid)).toEqual([{ id: '1', login: 'ann2' }]);
    await svc().userLeft('lobby', String(teamId), '5');
    expect(await svc().rooms.online('lobby', String(teamId))).toEqual([]);
  });

  it('an online list holds at most ROOM_LIMITS.onlineUsers ids; known ids still update', async () => {
    const room = String(teamId);
    for (let i = 0; i < ROOM_LIMITS.onlineUsers + 5; i++) {
      await svc().recordFrame('lobby', room, { type: 'USER', payload: { user: { id: `u${i}` } } });
    }
    await svc().recordFrame('lobby', room, { type: 'USER', payload: { user: { id: 'u0', seen: 2 } } });
    const list = (await svc().rooms.online('lobby', room)) as { id: string }[];
    expect(list).toHaveLength(ROOM_LIMITS.onlineUsers);
    expect(list[0]).toEqual({ id: 'u0', seen: 2 });
  });

  it('publishRoomFrame reaches subscribers of the rooms topic', async () => {
    const got: RoomFrameMessage[] = [];
    const off = gw.services.deps.bus.subscribe(ROOM_TOPIC, (m) => got.push(m as RoomFrameMessage));
    await publishRoomFrame(gw.services.deps, `lobby:${teamId}`, { type: 'X', payload: null });
    off();
    expect(ROOM_TOPIC).toBe('rooms.frame');
    expect(got).toEqual([{ room: `lobby:${teamId}`, frame: { type: 'X', payload: null } }]);
  });
});
