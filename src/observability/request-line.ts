import pino, { type Logger } from 'pino';

// The one info line every proxied request logs ("request" / "request failed"), written straight to
// the logger's destination as the JSON pino itself would write. Performance (bench/README.md,
// scenario 1b): through pino this line was ~10 µs and ~5.7 KB of garbage per request (its generic
// serializer walks every key and value); this writes the same line in one string. Only for our own
// fixed, secret-free fields (names, numbers, the resolved path without its query, usage counts);
// anything else goes through pino as usual.

export type LineValue = string | number | boolean | undefined | Record<string, number | boolean | undefined>;

const INFO = 30;

function json(v: Exclude<LineValue, undefined>): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

export function logRequestLine(log: Logger, fields: Record<string, LineValue>, msg: string): void {
  if (!log.isLevelEnabled('info')) return;
  const stream = (log as unknown as Record<symbol, { write(line: string): unknown } | undefined>)[pino.symbols.streamSym];
  if (!stream) {
    log.info(fields, msg);
    return;
  }
  let line = `{"level":${INFO},"time":${Date.now()}`;
  for (const key in fields) {
    const v = fields[key];
    if (v !== undefined) line += `,"${key}":${json(v)}`;
  }
  stream.write(`${line},"msg":${JSON.stringify(msg)}}\n`);
}
