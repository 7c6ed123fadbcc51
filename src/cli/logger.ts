import pino, { type DestinationStream, type Logger } from 'pino';

/** How long a JSON log line may wait before it is written. */
const FLUSH_EVERY_MS = 100;
/** Characters of waiting lines that trigger a write at once. */
const FLUSH_AT_CHARS = 16 * 1024;

/**
 * JSON lines to stdout, batched. Performance (bench/README.md, scenario 1b): one write syscall per
 * request line became one per batch. The batch is kept here as an array of lines, not in sonic-boom's
 * buffer: sonic-boom appends each line to one growing string and measures that string's UTF-8 length
 * on every write, which flattens it — re-copying the whole buffer per line (~2.5 µs a line at 4 KB,
 * ~9 µs at 64 KB, measured). Here a line is a push; a batch is joined once and handed to sonic-boom,
 * which does the writing (partial writes, EAGAIN on pipes). A line waits at most FLUSH_EVERY_MS;
 * what waits is written synchronously when the process exits (only a hard kill can lose it).
 */
export class BatchedLines implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;

  /** `sink`: what writes the batches (sonic-boom on stdout). */
  constructor(private readonly sink: { write(batch: string): unknown; flushSync(): void }) {}

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= FLUSH_AT_CHARS) this.flush();
  }

  /** Hands the waiting lines to the writer (written asynchronously). */
  flush(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines.join('');
    this.lines = [];
    this.chars = 0;
    try {
      this.sink.write(batch);
    } catch {
      // The writer was ended (pino ends it when the event loop runs dry): logging must not throw into
      // the request that wrote the line, nor crash the process from the flush timer.
    }
  }

  /** Writes everything now, before the process ends. */
  flushSync(): void {
    try {
      // No asynchronous write may start now (the process would end before it ran): the batch stays in
      // sonic-boom's buffer, which flushSync writes out before returning. (`minLength`, the buffered
      // length at which sonic-boom starts a write, is missing from its type declarations.)
      (this.sink as { minLength?: number }).minLength = Number.MAX_SAFE_INTEGER;
      this.flush();
      this.sink.flushSync();
    } catch {
      // stdout already closed, or not open yet: nothing more can be done with these lines.
    }
  }
}

function batchedStdout(): DestinationStream {
  const lines = new BatchedLines(pino.destination({ dest: 1, sync: false, minLength: 0, maxWrite: 256 * 1024 }));
  setInterval(() => lines.flush(), FLUSH_EVERY_MS).unref();
  process.on('exit', () => lines.flushSync());
  return lines;
}

/** Structured JSON logs; readable lines when a person is watching a terminal. */
export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.SWITCHYARD_LOG_FORMAT !== 'json';
  const options = {
    level,
    base: undefined,
    // Keys never reach logs: these are the only places a secret could ride along.
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-goog-api-key"]', 'key', 'apiKey'], censor: '[redacted]' },
  };
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,reqId' } } });
  }
  return pino(options, batchedStdout());
}
