/**
 * Keeps only the LAST `cap` bytes written to it, in a fixed ring buffer (never more than
 * `cap` bytes are held, whatever the stream writes), and whether anything was dropped.
 */
export class TailBuffer {
  private readonly ring: Uint8Array;
  /** Next write position in `ring`. */
  private pos = 0;
  /** Total bytes ever written. */
  private total = 0;

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`TailBuffer cap must be a non-negative integer, got ${cap}`);
    this.ring = new Uint8Array(cap);
  }

  write(chunk: Uint8Array): void {
    const n = chunk.length;
    this.total += n;
    const cap = this.cap;
    if (cap === 0 || n === 0) return;
    if (n >= cap) {
      this.ring.set(chunk.subarray(n - cap));
      this.pos = 0;
      return;
    }
    const first = Math.min(n, cap - this.pos);
    this.ring.set(chunk.subarray(0, first), this.pos);
    if (first < n) this.ring.set(chunk.subarray(first), 0);
    this.pos = (this.pos + n) % cap;
  }

  /** Bytes ever written (including dropped ones). */
  get totalBytes(): number {
    return this.total;
  }

  /** More than `cap` bytes were written: only the tail is kept. */
  get overflow(): boolean {
    return this.total > this.cap;
  }

  /** The kept bytes, oldest first. */
  bytes(): Uint8Array {
    if (this.total <= this.cap) return this.ring.slice(0, this.total);
    const out = new Uint8Array(this.cap);
    out.set(this.ring.subarray(this.pos), 0);
    out.set(this.ring.subarray(0, this.pos), this.cap - this.pos);
    return out;
  }

  /**
   * The kept bytes as UTF-8. When the head was cut off, continuation bytes of a character
   * split by the cut are dropped; other invalid sequences become U+FFFD.
   */
  text(): string {
    let b = this.bytes();
    if (this.overflow) {
      let skip = 0;
      while (skip < 3 && skip < b.length && (b[skip]! & 0xc0) === 0x80) skip++;
      b = b.subarray(skip);
    }
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(b);
  }
}
