import pino, { type DestinationStream, type Logger } from 'pino';

/** How long a JSON log line may wait in the buffer before it is written. */
const FLUSH_EVERY_MS = 100;

/**
 * JSON lines to stdout, buffered. Performance (bench/README.md, scenario 1): one write syscall per
 * request line (~14 µs on loopback-busy machines, and most of the cost of logging) becomes one per
 * 4 KB of lines; a line waits at most FLUSH_EVERY_MS, and pino writes what is left when the process
 * exits. (Only a hard kill can lose the last 100 ms of lines.)
 */
function bufferedStdout(): DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  // (sonic-boom keeps the buffered length in `_len`; flushing an empty buffer would write nothing.)
  const pending = () => (dest as unknown as { _len?: number })._len !== 0;
  setInterval(() => {
    if (pending()) dest.flush(() => undefined); // a callback: a closed stdout is not an exception here
  }, FLUSH_EVERY_MS).unref();
  return dest;
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
  return pino(options, bufferedStdout());
}
