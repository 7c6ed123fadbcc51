import { EventEmitter } from 'node:events';

/**
 * The client went away: what aborts its upstream request (and the body being relayed). Performance
 * (bench/README.md, scenario 1b): an AbortController per request, whose AbortSignal is an EventTarget,
 * was ~4 % of a relayed request's CPU. undici takes an EventEmitter with `aborted` as its signal, so
 * this is one, and a real AbortSignal is made only when something asks for it (a backoff sleep, the
 * wait for a slow client to drain).
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
