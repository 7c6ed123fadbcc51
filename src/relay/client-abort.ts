import { EventEmitter } from 'node:events';

/**
 * The client went away: what aborts its upstream request (and the body being relayed). Performance
 * (bench/README.md, scenario 1b): an AbortController per request, whose AbortSignal is an EventTarget,
 * was ~4 % of a relayed request's CPU. So this is an EventEmitter: the upstream request in flight is
 * cancelled through the `upstream` hook (src/relay/upstream-response.ts), a wait for a slow client
 * listens for 'abort', and a real AbortSignal is made only when something needs one (a backoff sleep).
 */
export class ClientAbort extends EventEmitter {
  aborted = false;
  private controller: AbortController | undefined;
  /** Cancels the upstream request in flight, if any (one at a time: attempts run one after another). */
  upstream: (() => void) | undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.upstream?.();
    this.controller?.abort();
    this.emit('abort');
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }
}
