// A single-producer, single-consumer ring of JSON records in a SharedArrayBuffer: the main thread
// appends each finished request's log entry, the request log worker reads them on its own timer and
// releases them only once they are committed. Nothing is posted per batch, so the event loop that
// relays requests is never held by a message copy nor woken by the worker's replies (measured at
// c=1: posting 50 records held the loop 0.2–0.35 ms, and those posts lay under a third of the slow
// requests). The ring is also the retry buffer: what a failed or crashed writer did not release is
// read again by the next one (the store ignores an id it already has).
//
// Layout: a 64-byte header of Uint32 counters, then `capacity` bytes of frames. A frame is an Int32
// byte length and that many bytes of UTF-8 JSON, padded to 4 bytes; a length of -1 says "the rest
// up to the end is unused, go on at 0". head and tail are byte counters that wrap at 2^32; capacity
// is a power of two, so a counter's offset in the ring is `counter & (capacity - 1)`.

const HEAD = 0; // bytes written (the producer's; published after the frame is complete)
const TAIL = 1; // bytes released (the consumer's)
const RELEASED = 2; // records released, for counting
const DROPPED = 3; // of those, records the consumer could not write and gave up on
const HEADER_BYTES = 64;
const WRAP = -1;

const align4 = (n: number) => (n + 3) & ~3;

/** What `read` took: entries to write, and where the ring stands once they are released. */
export interface RingRead<T> {
  entries: T[];
  end: number;
  /**
   * Frames passed over because they do not hold a JSON object (never written so by `offer`: only a bug
   * could). Released with the entries and counted as dropped, so one bad frame cannot stall the ring.
   */
  unreadable: number;
}

/** A frame's text as a record, or undefined when it is not a JSON object. */
function parseFrame<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export class LogRing<T extends object = object> {
  readonly buffer: SharedArrayBuffer;
  private readonly header: Uint32Array;
  private readonly bytes: Uint8Array;
  private readonly lengths: Int32Array;
  private readonly capacity: number;
  private readonly encoder = new TextEncoder();
  /** Producer side: records appended (the consumer counts what it releases in the header). */
  private appended = 0;

  /** A new ring of `capacity` bytes (a power of two), or one another thread made (from its `buffer`). */
  constructor(capacityOrBuffer: number | SharedArrayBuffer) {
    if (typeof capacityOrBuffer === 'number') {
      const c = capacityOrBuffer;
      if (c < 1024 || (c & (c - 1)) !== 0 || c > 2 ** 30) throw new RangeError(`ring capacity must be a power of two from 1 KiB to 1 GiB, not ${c}`);
      this.buffer = new SharedArrayBuffer(HEADER_BYTES + c);
    } else {
      this.buffer = capacityOrBuffer;
    }
    this.capacity = this.buffer.byteLength - HEADER_BYTES;
    this.header = new Uint32Array(this.buffer, 0, HEADER_BYTES / 4);
    this.bytes = new Uint8Array(this.buffer, HEADER_BYTES, this.capacity);
    this.lengths = new Int32Array(this.buffer, HEADER_BYTES, this.capacity / 4);
  }

  /**
   * Producer: appends one record as JSON. False when it does not fit now (the ring is full: the
   * consumer is behind or gone) or cannot be a record (it does not serialize to a JSON object);
   * the caller keeps it some other way.
   */
  offer(record: T): boolean {
    let json: string;
    try {
      json = JSON.stringify(record);
    } catch {
      return false;
    }
    if (json.charCodeAt(0) !== 0x7b /* { */) return false;
    let head = this.header[HEAD];
    const free = this.capacity - ((head - Atomics.load(this.header, TAIL)) >>> 0);
    let at = head & (this.capacity - 1);
    const toEnd = this.capacity - at;
    let written = this.encode(json, at, Math.min(toEnd, free));
    if (written < 0) {
      // Not enough room before the end: try from the start, and mark the rest unused if it fits there.
      written = this.encode(json, 0, free - toEnd);
      if (written < 0) return false;
      this.lengths[at >> 2] = WRAP;
      head = (head + toEnd) >>> 0;
      at = 0;
    }
    this.lengths[at >> 2] = written;
    // The frame is complete before the head moves past it (Atomics.store orders the writes above).
    Atomics.store(this.header, HEAD, (head + 4 + align4(written)) >>> 0);
    this.appended += 1;
    return true;
  }

  /** Writes a frame's bytes at `at` + 4 if the frame fits in `room` free bytes there: their length, or -1. */
  private encode(json: string, at: number, room: number): number {
    if (room < 8) return -1;
    const { read, written } = this.encoder.encodeInto(json, this.bytes.subarray(at + 4, at + room));
    return read === json.length ? written : -1;
  }

  /** Producer: records appended and not yet released by the consumer. */
  get pending(): number {
    return (this.appended - Atomics.load(this.header, RELEASED)) >>> 0;
  }

  /** Records released so far (written by whoever consumed them, or dropped). */
  get released(): number {
    return Atomics.load(this.header, RELEASED);
  }

  /** Records released without being written (the consumer gave up on them). */
  get dropped(): number {
    return Atomics.load(this.header, DROPPED);
  }

  /** Records the consumer released because it wrote them. */
  get written(): number {
    return this.released - this.dropped;
  }

  /**
   * Consumer: up to `max` frames from the oldest unreleased one (or from `from`, the `end` of an
   * earlier read), parsed. They stay in the ring until `release(read.end, entries + unreadable,
   * unreadable + left out)`; reading again without releasing returns them again.
   */
  read(max: number, from?: number): RingRead<T> {
    const head = Atomics.load(this.header, HEAD);
    let pos = from ?? this.header[TAIL];
    const entries: T[] = [];
    let unreadable = 0;
    while (pos !== head && entries.length + unreadable < max) {
      const at = pos & (this.capacity - 1);
      const length = this.lengths[at >> 2];
      if (length === WRAP) {
        pos = (pos + this.capacity - at) >>> 0;
        continue;
      }
      const text = Buffer.from(this.buffer, HEADER_BYTES + at + 4, length).toString('utf8');
      const record = parseFrame<T>(text);
      if (record === undefined) unreadable += 1;
      else entries.push(record);
      pos = (pos + 4 + align4(length)) >>> 0;
    }
    return { entries, end: pos, unreadable };
  }

  /** Consumer: frees what a `read` returned, once it is safely written (`dropped` of them were given up on). */
  release(end: number, records: number, dropped = 0): void {
    Atomics.store(this.header, TAIL, end);
    if (dropped > 0) Atomics.add(this.header, DROPPED, dropped);
    Atomics.add(this.header, RELEASED, records);
  }

  /** Consumer: nothing left to read. */
  get empty(): boolean {
    return this.header[TAIL] === Atomics.load(this.header, HEAD);
  }
}
