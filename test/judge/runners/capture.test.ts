import { describe, expect, it } from 'vitest';
import { TailBuffer } from '../../../judge/runners/capture.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('TailBuffer', () => {
  it('keeps everything below the cap, no overflow (also exactly at the cap)', () => {
    const t = new TailBuffer(10);
    t.write(bytes('hello'));
    expect(t.text()).toBe('hello');
    expect(t.overflow).toBe(false);
    t.write(bytes('world'));
    expect(t.text()).toBe('helloworld');
    expect(t.overflow).toBe(false);
    expect(t.totalBytes).toBe(10);
  });

  it('keeps only the last cap bytes across wrap-arounds', () => {
    const t = new TailBuffer(8);
    let all = '';
    for (let i = 0; i < 100; i++) {
      const chunk = `${i},`;
      all += chunk;
      t.write(bytes(chunk));
      expect(t.text()).toBe(all.slice(-8));
    }
    expect(t.overflow).toBe(true);
    expect(t.totalBytes).toBe(all.length);
  });

  it('handles a chunk larger than the cap', () => {
    const t = new TailBuffer(4);
    t.write(bytes('ab'));
    t.write(bytes('0123456789'));
    expect(t.text()).toBe('6789');
    t.write(bytes('x'));
    expect(t.text()).toBe('789x');
    expect(t.bytes().length).toBe(4);
  });

  it('never holds more than the cap', () => {
    const t = new TailBuffer(1000);
    for (let i = 0; i < 1000; i++) t.write(new Uint8Array(4096).fill(65 + (i % 26)));
    expect(t.bytes().length).toBe(1000);
    expect(t.text()).toBe('L'.repeat(1000)); // 999 % 26 = 11 -> 'L'
  });

  it('drops a multi-byte character cut at the start, keeps later ones', () => {
    const t = new TailBuffer(5);
    t.write(bytes('aé€€')); // 1 + 2 + 3 + 3 bytes: the last 5 start inside the first €
    expect(t.overflow).toBe(true);
    expect(t.text()).toBe('€');
    const v = new TailBuffer(7); // starts with the second byte of é
    v.write(bytes('aé€€'));
    expect(v.text()).toBe('€€');
    const u = new TailBuffer(6);
    u.write(bytes('xx€€'));
    expect(u.text()).toBe('€€');
  });

  it('cap 0 keeps nothing but reports overflow', () => {
    const t = new TailBuffer(0);
    t.write(bytes('abc'));
    expect(t.text()).toBe('');
    expect(t.overflow).toBe(true);
  });
});
