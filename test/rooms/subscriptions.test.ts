// Room events as a GraphQL subscription (roomEvents) and a tRPC subscription (rooms.events), fed
// by the same bus as the sockets, for users who may join the room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRoomFrame } from '../../src/bus/room-frames.js';
import { gql, gqlSubscribe, trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, teamFixture, waitFor, wsUrl, type Team } from './support.js';

let gw: TestGateway;
let t: Team;

beforeAll(async () => {
  gw = await startTestGateway();
  t = await teamFixture(gw);
});
afterAll(() => gw?.stop());

const bearer = async (who: keyof Team['users']) => ({ authorization: `Bearer ${await gw.services.tokens.sign(t.users[who].id)}` });

interface Seen {
  room: string;
  type: string;
  frame: string;
}

describe('room events subscriptions', () => {
  it('GraphQL roomEvents and tRPC rooms.events carry every frame of the room, verbatim, in order', async () => {
    const room = `training:${t.sid.toUpperCase()}`; // canonicalised like the socket's UUID
    const g = gqlSubscribe(gw.url, 'subscription ($room: String!) { roomEvents(room: $room) { room type frame } }', { room }, await bearer('ann'));
    const viaTrpc: Seen[] = [];
    const sub = trpc(gw.url, await bearer('bob')).rooms.events.subscribe(
      { room },
      { onData: (e) => viaTrpc.push(e), onError: (e) => viaTrpc.push({ room: 'error', type: String(e), frame: '' }) },
    );
    try {
      // Subscriptions start asynchronously: poke the room until both listen.
      await waitFor('both subscriptions to listen', async () => {
        await publishRoomFrame(gw.services.deps, `training:${t.sid}`, { type: 'PROBE', payload: null });
        await new Promise((r) => setTimeout(r, 50));
        return g.seen.length > 0 && viaTrpc.length > 0;
      });
      const p = await connect(wsUrl(gw.url, '/ws/training', { training_session_id: t.sid, user_id: t.users.cat.id, token: t.tokens.cat }));
      await p.next();
      const frame = '{"type":"CODE_EDITOR_UPDATE", "payload":{"code":"a = 1","problemAlias":"A"}}';
      p.send(frame);
      await p.next();
      await publishRoomFrame(gw.services.deps, `training:${t.sid}`, { type: 'TRAINING_FINISHED', payload: null });
      await p.close();
      const expected: Seen[] = [
        { room: `training:${t.sid}`, type: 'USER_JOIN', frame: JSON.stringify({ type: 'USER_JOIN', payload: { userId: t.users.cat.id } }) },
        { room: `training:${t.sid}`, type: 'CODE_EDITOR_UPDATE', frame },
        { room: `training:${t.sid}`, type: 'TRAINING_FINISHED', frame: '{"type":"TRAINING_FINISHED","payload":null}' },
        { room: `training:${t.sid}`, type: 'USER_LEAVE', frame: JSON.stringify({ type: 'USER_LEAVE', payload: { userId: t.users.cat.id } }) },
      ];
      const real = (list: Seen[]) => list.filter((e) => e.type !== 'PROBE');
      await waitFor('the events over tRPC', () => real(viaTrpc).length >= 4);
      await waitFor('the events over GraphQL', () => g.seen.filter((d) => d.data?.roomEvents.type !== 'PROBE').length >= 4);
      expect(real(viaTrpc)).toEqual(expected);
      expect(real(g.seen.map((d) => d.data.roomEvents))).toEqual(expected);
    } finally {
      sub.unsubscribe();
      g.stop();
      await g.done;
    }
  });

  it('refuses non-members, anonymous callers and malformed rooms, with their codes', async () => {
    const q = 'subscription ($room: String!) { roomEvents(room: $room) { type } }';
    const codeOf = async (room: string, headers: Record<string, string>) => {
      const r = await gql(gw.url, q, { room }, headers);
      return r.errors?.[0]?.extensions?.code;
    };
    expect(await codeOf(`training:${t.sid}`, await bearer('eve'))).toBe('FORBIDDEN');
    expect(await codeOf(`lobby:${t.teamId}`, await bearer('eve'))).toBe('FORBIDDEN');
    expect(await codeOf(`lobby:${t.teamId}`, {})).toBe('UNAUTHENTICATED');
    expect(await codeOf('training:nope', await bearer('ann'))).toBe('BAD_USER_INPUT');
    expect(await codeOf('kitchen:1', await bearer('ann'))).toBe('BAD_USER_INPUT');

    const trpcCode = (room: string, headers: Record<string, string>) =>
      new Promise<string | undefined>((resolve) => {
        const sub = trpc(gw.url, headers).rooms.events.subscribe(
          { room },
          {
            onData: () => undefined,
            onError: (e) => {
              sub.unsubscribe();
              resolve((e as { data?: { code?: string } }).data?.code);
            },
          },
        );
      });
    expect(await trpcCode(`training:${t.sid}`, await bearer('eve'))).toBe('FORBIDDEN');
    expect(await trpcCode(`lobby:${t.teamId}`, {})).toBe('UNAUTHORIZED');
    expect(await trpcCode('lobby', await bearer('ann'))).toBe('BAD_REQUEST');
  });
});
