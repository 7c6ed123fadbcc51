import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs; readable lines when a person is watching a terminal.
 * Performance (bench/README.md, scenario 1b): JSON lines go out asynchronously — a line written
 * while an earlier write is still in flight joins the next write, so under load many lines share
 * one syscall, and a quiet gateway still writes each line at once. One synchronous write per
 * request line was ~35 µs of CPU per request. pino flushes what is pending when the process exits.
 */
export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.SWITCHYARD_LOG_FORMAT !== 'json';
  return pino({
    level,
    base: undefined,
    // Keys never reach logs: these are the only places a secret could ride along.
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-goog-api-key"]', 'key', 'apiKey'], censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,reqId' } } }
      : {}),
  }, pretty ? undefined : pino.destination({ dest: 1, sync: false }));
}
