import pino, { type Logger } from 'pino';

/** Structured JSON logs; readable lines when a person is watching a terminal. */
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
  });
}
