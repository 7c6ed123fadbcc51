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
  /** That credential masked (first 4 + last 4 characters), and its store id. */
  credential?: string;
  credentialId?: number;
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
  /** The user key the client presented (its name and id), when it was one. */
  userKey?: string;
  userKeyId?: number;
  /** Bodies, only when the `store_bodies` setting is on: capped, secrets redacted. */
  requestBody?: string;
  responseBody?: string;
}

/** What the server tells the rest of the system; every hook runs off the hot path and must not throw. */
export interface GatewayHooks {
  onRequestFinished?(record: RequestRecord): void;
}
