import { builder } from '../builder.js';
import { watchRoom, type RoomEvent } from '../../src/rooms/watch.js';

// Room events (the frames every socket of a room receives, from any node), for a user who may
// join the room: the same bus feeds the sockets and this subscription.

const RoomEventType = builder.objectRef<RoomEvent>('RoomEvent').implement({
  description: "One frame a room's sockets received.",
  fields: (t) => ({
    room: t.exposeString('room', { description: '`lobby:<team_id>`, `training:<uuid>` or `marking:<event uuid>`.' }),
    type: t.exposeString('type', {
      description: "The frame's `type` (USER_JOIN, CODE_EDITOR_UPDATE, TRAINING_STARTED, ...; marking rooms: user_joined, user_left, was_marked).",
    }),
    frame: t.exposeString('frame', { description: "The frame's JSON text, exactly as the sockets received it." }),
  }),
});

builder.subscriptionField('roomEvents', (t) =>
  t.field({
    type: RoomEventType,
    description: 'Every frame of a room from now on (graphql-sse / SSE), for a member of its team.',
    args: {
      room: t.arg.string({
        required: true,
        description: '`lobby:<team_id>`, `training:<uuid>` or `marking:<event uuid>` (its creator, ROOT and ADMIN).',
      }),
    },
    subscribe: (_r, a, ctx) => watchRoom(ctx.services, ctx.actor, a.room),
    resolve: (e) => e,
  }),
);
