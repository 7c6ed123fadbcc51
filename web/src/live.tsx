import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PoolProvider, RequestEvent } from './api';

// Live updates over one EventSource (GET /api/events): finished requests, at most one batch a second,
// and the credential pool when it changes. Pages subscribe; the header shows whether it is connected.

export interface RequestsBatch {
  count: number;
  items: RequestEvent[];
}

interface Live {
  connected: boolean;
  pool: PoolProvider[] | undefined;
  /** Server clock minus ours, for countdowns. */
  skew: number;
  onRequests(fn: (b: RequestsBatch) => void): () => void;
}

const LiveContext = createContext<Live>({ connected: false, pool: undefined, skew: 0, onRequests: () => () => undefined });

export function LiveProvider({ children, onEnded }: { children: ReactNode; onEnded: () => void }) {
  const [connected, setConnected] = useState(false);
  const [pool, setPool] = useState<PoolProvider[]>();
  const [skew, setSkew] = useState(0);
  const subs = useRef(new Set<(b: RequestsBatch) => void>());
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    let es: EventSource | undefined;
    let retry: number | undefined;
    let closed = false;
    const open = () => {
      es = new EventSource('/api/events');
      es.addEventListener('open', () => setConnected(true));
      es.addEventListener('hello', (e) => setSkew((JSON.parse((e as MessageEvent<string>).data) as { now: number }).now - Date.now()));
      es.addEventListener('pool', (e) => setPool((JSON.parse((e as MessageEvent<string>).data) as { providers: PoolProvider[] }).providers));
      es.addEventListener('requests', (e) => {
        const batch = JSON.parse((e as MessageEvent<string>).data) as RequestsBatch;
        for (const fn of subs.current) fn(batch);
      });
      es.addEventListener('error', () => {
        setConnected(false);
        if (es?.readyState === EventSource.CLOSED && !closed) {
          // Refused (the session ended?) or the server went away: ask once, then try again later.
          ended.current();
          retry = window.setTimeout(open, 5000);
        }
      });
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(retry);
      es?.close();
    };
  }, []);

  // Stable, so subscribers are not dropped (with what they were waiting to do) when the pool or the connection changes.
  const onRequests = useCallback((fn: (b: RequestsBatch) => void) => {
    subs.current.add(fn);
    return () => void subs.current.delete(fn);
  }, []);
  const value = useMemo<Live>(() => ({ connected, pool, skew, onRequests }), [connected, pool, skew, onRequests]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/** Calls `fn` after finished requests arrive, at most once per `minGapMs`. */
export function useOnRequests(fn: (b: RequestsBatch) => void, minGapMs = 2000, enabled = true): void {
  const { onRequests } = useLive();
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let last = 0;
    let timer: number | undefined;
    let pending: RequestsBatch | undefined;
    const fire = () => {
      timer = undefined;
      last = Date.now();
      const b = pending;
      pending = undefined;
      if (b) latest.current(b);
    };
    const off = onRequests((b) => {
      pending = pending ? { count: pending.count + b.count, items: [...pending.items, ...b.items].slice(-50) } : b;
      if (timer !== undefined) return;
      const wait = Math.max(0, last + minGapMs - Date.now());
      timer = window.setTimeout(fire, wait);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [onRequests, minGapMs, enabled]);
}
