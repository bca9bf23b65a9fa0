// The pure rules of the training sockets: how a session id is read, which frames are relayed
// and which are handed to the training service to keep.
import { describe, expect, it } from 'vitest';
import { readFrame } from '../../src/rooms/training.js';
import { pythonUuid } from '../../src/wire/python-uuid.js';

describe('pythonUuid (what FastAPI/uuid.UUID accepted, keyed lowercase)', () => {
  const id = '04d3f707-ed68-4b2d-a91a-0ae200c5c7d3';
  it('accepts the spellings Python read, as one key', () => {
    for (const s of [id, id.toUpperCase(), id.replace(/-/g, ''), `{${id}}`, `urn:uuid:${id}`, '04d3f707ed68-4b2d-a91a-0ae200c5c7d3']) {
      expect(pythonUuid(s), s).toBe(id);
    }
  });
  it('refuses what is not 32 hex digits', () => {
    for (const s of ['', 'x', `${id}0`, id.slice(1), id.replace('a', 'g'), ` ${id}`, `${id}\n`, '12']) expect(pythonUuid(s), s).toBeNull();
  });
});

describe('readFrame', () => {
  it('relays a JSON object with a string type; persists only the exact {type, payload} shape', () => {
    expect(readFrame('{"type":"USER","payload":{"user":{"id":"1"}}}')).toEqual({
      frame: { type: 'USER', payload: { user: { id: '1' } } },
      persist: true,
    });
    expect(readFrame('{"type":"TRAINING_FINISHED","payload":null}')).toEqual({ frame: { type: 'TRAINING_FINISHED', payload: null }, persist: true });
    expect(readFrame('{"type":"PING"}')).toEqual({ frame: { type: 'PING', payload: undefined }, persist: false });
    expect(readFrame('{"type":"X","payload":1,"extra":2}')?.persist).toBe(false);
  });
  it('drops anything else', () => {
    for (const s of [
      '',
      'nope',
      '{',
      '[]',
      '[{"type":"X"}]',
      '"X"',
      '1',
      'null',
      'true',
      '{}',
      '{"type":1}',
      '{"type":null,"payload":{}}',
      '{"payload":{}}',
    ]) {
      expect(readFrame(s), s).toBeNull();
    }
  });
});
