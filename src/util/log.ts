import type { LogFn } from 'pino';

/** The logging surface the core needs; satisfied by pino and Fastify's request loggers. */
export interface Log {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

interface ChildCapable extends Log {
  child(bindings: Record<string, unknown>): Log;
}

/**
 * A logger whose lines carry the request id, made only when something is logged. Performance
 * (bench/README.md, scenario 1b): a pino child per request costs its bindings' serialization on every
 * request, and most requests log nothing but their one summary line (which names the id itself).
 */
export class RequestLog implements Log {
  private made: Log | undefined;
  constructor(
    private readonly base: ChildCapable,
    private readonly reqId: string,
  ) {}

  private get log(): Log {
    return (this.made ??= this.base.child({ reqId: this.reqId }));
  }

  error(...args: unknown[]): void {
    call(this.log, 'error', args);
  }
  warn(...args: unknown[]): void {
    call(this.log, 'warn', args);
  }
  info(...args: unknown[]): void {
    call(this.log, 'info', args);
  }
  debug(...args: unknown[]): void {
    call(this.log, 'debug', args);
  }
}

function call(log: Log, level: keyof Log, args: unknown[]): void {
  (log[level] as (...a: unknown[]) => void).apply(log, args);
}
