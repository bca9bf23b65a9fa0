import type { Services } from '../services/index.js';
import { splitRoom, type RoomKind } from './actor.js';
import { judgeWorkerRoomKind } from './judge-worker.js';
import { markingRoomKind } from './marking.js';
import { trainingRoomKind } from './training.js';

/** Every socket protocol the gateway serves, each a room kind; a new one is one more entry here. */
export function roomKinds(services: Services): RoomKind[] {
  return [
    trainingRoomKind('lobby', services.training),
    trainingRoomKind('training', services.training),
    markingRoomKind(services),
    judgeWorkerRoomKind(services.judge.legacyWorkers),
  ];
}

/** A room key's kind and canonical id (`training:<UUID>` lowercased), or null when malformed. */
export function parseRoom(kinds: readonly RoomKind[], room: string): { kind: RoomKind; id: string; room: string } | null {
  const parts = splitRoom(room);
  if (!parts) return null;
  const kind = kinds.find((k) => k.name === parts.kind);
  const id = kind?.canonicalId(parts.id);
  return kind && id ? { kind, id, room: `${kind.name}:${id}` } : null;
}
