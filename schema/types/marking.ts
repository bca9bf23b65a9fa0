import { builder, isoTime } from '../builder.js';
import type { Attendance } from '../../src/services/marking.js';

// Spec 003's attendance, as the marking sockets (/ws/mark_me, /ws/marking) stored it: the same
// service as tRPC `marking.*`. Times are ISO 8601 (UTC) here, epoch milliseconds on tRPC.

const AttendanceType = builder.objectRef<Attendance>('Attendance').implement({
  description: 'One marking at an event: who was marked, by whom, when.',
  fields: (t) => ({
    eventId: t.exposeID('eventId', { description: 'The event (UUID).' }),
    userId: t.exposeID('userId', { description: 'The person marked present.' }),
    markerId: t.exposeID('markerId', { nullable: true, description: 'Who marked them (null once that account is deleted).' }),
    markedAt: t.string({ resolve: (a) => isoTime(a.markedAt)! }),
  }),
});

builder.queryFields((t) => ({
  eventAttendance: t.field({
    type: [AttendanceType],
    description: "Who was marked at an event, in marking order: for the event's creator, ROOT and ADMIN.",
    args: { eventId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.marking.attendance(ctx.actor, String(a.eventId)),
  }),
  myAttendance: t.field({
    type: [AttendanceType],
    description: 'The events the caller was marked at, newest first.',
    resolve: (_r, _a, ctx) => ctx.services.marking.mine(ctx.actor),
  }),
}));
