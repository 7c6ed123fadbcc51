import { request } from 'undici';
import type { Logger } from 'pino';
import { isGlob, matchesGlob } from '../routing/glob.js';
import type { Provider } from './provider.js';

// The model list clients discover: what each provider serves (its upstream list, filtered by its
// `models` patterns, or its literal names when the upstream cannot be asked) plus the mapping
// aliases clients will send. Upstream lists are fetched in the background and cached, so a
// /v1/models request never waits on a vendor.

const REFRESH_MS = 10 * 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

export interface CatalogEntry {
  id: string;
  /** Provider that serves it (after mapping), or 'alias' for a mapping key. */
  ownedBy: string;
}

export class ModelCatalog {
  private upstream = new Map<string, string[]>();
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly providers: Provider[],
    private readonly mapping: Record<string, string>,
    private readonly log?: Logger,
  ) {}

  /** Current list; triggers a background refresh when stale. */
  list(): CatalogEntry[] {
    if (Date.now() - this.refreshedAt > REFRESH_MS) void this.refresh();
    const out = new Map<string, CatalogEntry>();
    for (const p of this.providers) {
      const literal = (p.config.models ?? []).filter((m) => !isGlob(m));
      const fetched = (this.upstream.get(p.name) ?? []).filter((m) => p.serves(m));
      for (const id of [...literal, ...fetched]) if (!out.has(id)) out.set(id, { id, ownedBy: p.name });
    }
    for (const alias of Object.keys(this.mapping)) {
      if (!isGlob(alias) && !out.has(alias)) out.set(alias, { id: alias, ownedBy: 'switchyard-alias' });
    }
    return [...out.values()];
  }

  ids(): string[] {
    return this.list().map((e) => e.id);
  }

  /** Whether a requested id would be listed (or is accepted through a glob). */
  find(id: string): CatalogEntry | undefined {
    const name = id.replace(/^models\//, '');
    const listed = this.list().find((e) => e.id === name);
    if (listed) return listed;
    const alias = Object.keys(this.mapping).find((k) => matchesGlob(k, name));
    if (alias) return { id: name, ownedBy: 'switchyard-alias' };
    const provider = this.providers.find((p) => (p.config.models ?? []).length > 0 && p.serves(name));
    return provider ? { id: name, ownedBy: provider.name } : undefined;
  }

  refresh(): Promise<void> {
    this.refreshing ??= Promise.all(this.providers.map((p) => this.fetchOne(p))).then(() => {
      this.refreshedAt = Date.now();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetchOne(p: Provider): Promise<void> {
    const picked = p.pool.peek();
    if (!picked) return;
    try {
      const res = await request(p.adapter.modelsUrl(p.baseUrl), {
        method: 'GET',
        headers: p.adapter.headers(picked.key, {}, false),
        headersTimeout: FETCH_TIMEOUT_MS,
        bodyTimeout: FETCH_TIMEOUT_MS,
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS * 2),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        this.log?.debug({ provider: p.name, status: res.statusCode }, 'model list not available from upstream; using configured names');
        return;
      }
      this.upstream.set(p.name, p.adapter.parseModelList(await res.body.json()));
    } catch (err) {
      this.log?.debug({ provider: p.name, err: (err as Error).message }, 'model list fetch failed; using configured names');
    }
  }
}
