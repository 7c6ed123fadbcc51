import type { LogFn } from 'pino';

/** The logging surface the core needs; satisfied by pino and Fastify's request loggers. */
export interface Log {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}
