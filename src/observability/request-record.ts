import type { Dialect, Usage } from '../canonical/types.js';

/** One client request, as the request log, stats and metrics see it. Built once, after the answer ended. */
export interface RequestRecord {
  id: string;
  /** Unix ms when the request arrived. */
  startedAt: number;
  method: string;
  clientDialect: Dialect | 'none';
  /** Route name from path resolution (e.g. `openai.chat`, `models.list`). */
  route: string;
  pathSent: string;
  pathResolved: string;
  requestedModel?: string;
  resolvedModel?: string;
  provider?: string;
  /** Index of the pool credential that answered, never the key. */
  credentialIndex?: number;
  translated?: boolean;
  stream?: boolean;
  status: number;
  error?: string;
  attempts?: number;
  latencyMs: number;
  ttfbMs?: number;
  usage?: Usage;
  clientAddress?: string;
  userAgent?: string;
}

/** What the server tells the rest of the system; every hook runs off the hot path and must not throw. */
export interface GatewayHooks {
  onRequestFinished?(record: RequestRecord): void;
}
