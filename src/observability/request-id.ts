import { randomFillSync } from 'node:crypto';

// Request ids are UUIDv7 (RFC 9562 §5.7): a 48-bit Unix-millisecond timestamp, then random bits.
// Performance (bench/README.md, scenario 1b): the request log's `id` column is a unique index, and
// random (v4) ids land all over its B-tree — 23 µs of SQLite work per logged request against 8 µs for
// ids that grow with time (measured with 50,000 records). They still look like, and are, UUIDs; and
// sorting them sorts by time. Random bytes come from a pool refilled 409 ids at a time: the `uuid`
// package's v7() asks the OS per call (~3 µs each here), randomUUID() pools the same way.

const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function requestId(now = Date.now()): string {
  if (offset + 10 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const o = offset;
  offset += 10;
  const ts = now.toString(16).padStart(12, '0');
  const p = POOL;
  return (
    `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${HEX[p[o] & 0x0f][1]}${HEX[p[o + 1]]}-` +
    `${HEX[0x80 | (p[o + 2] & 0x3f)]}${HEX[p[o + 3]]}-${HEX[p[o + 4]]}${HEX[p[o + 5]]}${HEX[p[o + 6]]}${HEX[p[o + 7]]}${HEX[p[o + 8]]}${HEX[p[o + 9]]}`
  );
}
