import pino, { type Logger } from 'pino';

// The one info line every proxied request logs ("request" / "request failed"), written straight to
// the logger's destination as the JSON pino itself would write. Performance (bench/README.md,
// scenario 1b): through pino this line was ~10 µs and ~5.7 KB of garbage per request (its generic
// serializer walks every key and value); here it is one native JSON.stringify of one object, which
// also hands the destination a flat string (building it from pieces made a rope that every later
// step had to flatten). Only for our own fixed, secret-free fields (names, numbers, the resolved
// path without its query, usage counts); anything else goes through pino as usual.

export type LineValue = string | number | boolean | undefined | Record<string, number | boolean | undefined>;

const INFO = 30;

/** Writes `{"level":30,"time":…,…fields,"msg":…}` — undefined fields left out, as pino does. */
export function logRequestLine(log: Logger, fields: Record<string, LineValue>, msg: string): void {
  if (!log.isLevelEnabled('info')) return;
  const stream = (log as unknown as Record<symbol, { write(line: string): unknown } | undefined>)[pino.symbols.streamSym];
  if (!stream) {
    log.info(fields, msg);
    return;
  }
  // (JSON.stringify writes non-finite numbers as null, as pino does.)
  stream.write(JSON.stringify({ level: INFO, time: Date.now(), ...fields, msg }) + '\n');
}
