import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z, type ZodError } from 'zod';
import { GatewayError } from '../canonical/errors.js';
import { normalizeBaseUrl } from '../config/base-url.js';
import { DEFAULT_UPSTREAMS } from '../config/load.js';
import { configSchema, providerSchema, SETTING_KEYS, type ProviderConfig, type Settings } from '../config/schema.js';
import { generateUserKey } from '../keys/user-keys.js';
import { maskSecret, tokenHash } from '../store/crypto.js';
import { providerSettings } from '../store/seed.js';
import type { ProviderRecord, UserKeyPatch, UserKeyRecord } from '../store/types.js';
import { consoleApiRoutes } from './console-routes.js';
import type { ControlPlane } from './control-plane.js';
import { openApiDocument } from './openapi.js';
import { testCredential } from './provider-test.js';
import * as s from './schemas.js';
import { providerView, requestView, userKeyView } from './views.js';

// The admin API under /api: real Fastify routes (registered before the proxy's catch-all), each
// behind the admin password, with zod-validated bodies and query strings. The same table produces
// the OpenAPI document at /api/openapi.json.

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'invalid_request',
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface AdminRoute {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Success status (default 200). */
  status?: number;
  handler(input: { params: Record<string, string>; body: unknown; query: unknown; req: FastifyRequest }): unknown;
}

function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(def: {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  status?: number;
  handler(input: { params: Record<string, string>; body: Out<B>; query: Out<Q>; req: FastifyRequest }): unknown;
}): AdminRoute {
  return def as AdminRoute;
}

function issues(err: ZodError, strip = 0): string {
  return err.issues
    .map((i) => {
      const path = i.path.slice(strip).map(String).join('.');
      const msg = i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message;
      return path ? `${path}: ${msg}` : msg;
    })
    .join('; ');
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AdminError(400, `Invalid ${what}: ${issues(r.error)}`);
  return r.data;
}

function readJson(raw: unknown): unknown {
  if (raw === undefined || raw === null) return {};
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return raw;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AdminError(400, `The request body is not valid JSON: ${(err as Error).message}`);
  }
}

function id(params: Record<string, string>, name = 'id'): number {
  const n = Number(params[name]);
  if (!Number.isInteger(n) || n <= 0) throw new AdminError(404, `No such ${name}: ${params[name]}`);
  return n;
}

function withBaseUrl(p: ProviderConfig): ProviderConfig {
  return { ...p, base_url: normalizeBaseUrl(p.type, p.base_url ?? DEFAULT_UPSTREAMS[p.type]) };
}

export function adminRoutes(cp: ControlPlane): AdminRoute[] {
  const store = () => cp.store;

  async function provider(name: string): Promise<ProviderRecord> {
    const p = await store().getProvider(name);
    if (!p) throw new AdminError(404, `No provider named "${name}".`);
    return p;
  }

  /** The provider as the router would build it (enabled credentials only). */
  function providerConfig(p: ProviderRecord, keys: string[]): ProviderConfig {
    const parsed = providerSchema.safeParse({ ...p.settings, api_keys: keys.length > 0 ? keys : ['(none)'] });
    if (!parsed.success) throw new AdminError(409, `Provider "${p.name}" has settings that no longer validate: ${issues(parsed.error)}`);
    return withBaseUrl(parsed.data);
  }

  /** An edit through the API makes the provider the API's: removing it from the file no longer removes it. */
  async function touchedByAdmin(p: ProviderRecord): Promise<void> {
    if (p.origin !== 'admin') await store().putProvider({ name: p.name, settings: p.settings, origin: 'admin' });
  }

  async function changed<T>(result: T): Promise<T> {
    await cp.applyRouting();
    return result;
  }

  function credential(p: ProviderRecord, params: Record<string, string>) {
    const cid = id(params);
    const c = p.credentials.find((x) => x.id === cid);
    if (!c) throw new AdminError(404, `Provider "${p.name}" has no credential ${cid}.`);
    return c;
  }

  function keyRecord(params: Record<string, string>): UserKeyRecord {
    const k = cp.registry.get(id(params));
    if (!k) throw new AdminError(404, `No user key ${params.id}.`);
    return k;
  }

  const keyView = (k: UserKeyRecord) => userKeyView(k, cp.limiter.usage(k.id));

  return [
    // ---- providers ----
    route({
      method: 'GET',
      url: '/api/providers',
      tag: 'providers',
      summary: 'List providers in routing order, with their credentials masked.',
      handler: async () => ({ providers: (await store().listProviders()).map(providerView) }),
    }),
    route({
      method: 'POST',
      url: '/api/providers',
      tag: 'providers',
      summary: 'Add a provider (same fields as an entry of `providers:` in the config file, keys included).',
      body: s.providerCreateBody,
      status: 201,
      handler: async ({ body }) => {
        const p = withBaseUrl(body);
        if (await store().getProvider(p.name)) throw new AdminError(409, `A provider named "${p.name}" exists already; PATCH it instead.`);
        await store().putProvider({ name: p.name, settings: providerSettings(p), origin: 'admin' });
        for (const key of p.api_keys) await store().addCredential(p.name, key);
        return changed(providerView(await provider(p.name)));
      },
    }),
    route({
      method: 'GET',
      url: '/api/providers/:name',
      tag: 'providers',
      summary: 'One provider.',
      handler: async ({ params }) => providerView(await provider(params.name)),
    }),
    route({
      method: 'PATCH',
      url: '/api/providers/:name',
      tag: 'providers',
      summary: 'Change provider fields (enable/disable with `enabled`); `position` moves it in routing order. Keys have their own routes.',
      body: s.providerPatchBody,
      handler: async ({ params, body }) => {
        const p = await provider(params.name);
        const { position, ...patch } = body;
        if (patch.name !== undefined && patch.name !== p.name) throw new AdminError(400, 'A provider cannot be renamed; add one with the new name and delete this one.');
        if ('api_keys' in patch || 'api_key' in patch) throw new AdminError(400, 'Change keys through /api/providers/{name}/credentials.');
        const merged: Record<string, unknown> = { ...p.settings, ...patch };
        if (patch.models === null) delete merged.models;
        const candidate = { ...merged, api_keys: p.credentials.length > 0 ? p.credentials.map((c) => c.secret) : ['(none)'] };
        const r = providerSchema.safeParse(candidate);
        if (!r.success) throw new AdminError(400, `Invalid provider: ${issues(r.error)}`);
        await store().putProvider({ name: p.name, settings: providerSettings(withBaseUrl(r.data)), origin: 'admin', position });
        return changed(providerView(await provider(p.name)));
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/providers/:name',
      tag: 'providers',
      summary: 'Delete a provider and its credentials.',
      handler: async ({ params }) => {
        if (!(await store().deleteProvider(params.name))) throw new AdminError(404, `No provider named "${params.name}".`);
        return changed({ deleted: params.name });
      },
    }),
    route({
      method: 'POST',
      url: '/api/providers/:name/test',
      tag: 'providers',
      summary: "Test each enabled credential with a cheap upstream call (the model list): ok, or the upstream's error.",
      handler: async ({ params }) => {
        const p = await provider(params.name);
        const enabled = p.credentials.filter((c) => c.enabled).slice(0, 20);
        if (enabled.length === 0) throw new AdminError(409, `Provider "${p.name}" has no enabled credential to test.`);
        const cfg = providerConfig(p, enabled.map((c) => c.secret));
        const results = await Promise.all(enabled.map(async (c) => ({ credential_id: c.id, key: c.masked, ...(await testCredential(cfg, c.secret)) })));
        return { provider: p.name, ok: results.every((r) => r.ok), results };
      },
    }),

    // ---- credentials ----
    route({
      method: 'GET',
      url: '/api/providers/:name/credentials',
      tag: 'credentials',
      summary: "A provider's credentials (masked).",
      handler: async ({ params }) => ({ credentials: providerView(await provider(params.name)).credentials }),
    }),
    route({
      method: 'POST',
      url: '/api/providers/:name/credentials',
      tag: 'credentials',
      summary: 'Add an upstream key to the provider (stored encrypted; answered masked).',
      body: s.credentialCreateBody,
      status: 201,
      handler: async ({ params, body }) => {
        const p = await provider(params.name);
        if (p.credentials.some((c) => c.secret === body.key)) throw new AdminError(409, `Provider "${p.name}" has this key already.`);
        const c = await store().addCredential(p.name, body.key, body.enabled);
        await touchedByAdmin(p);
        return changed({ id: c.id, key: c.masked, enabled: c.enabled, created_at: new Date(c.createdAt).toISOString() });
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/providers/:name/credentials/:id',
      tag: 'credentials',
      summary: 'Enable or disable a credential.',
      body: s.credentialPatchBody,
      handler: async ({ params, body }) => {
        const p = await provider(params.name);
        const c = credential(p, params);
        await store().updateCredential(p.name, c.id, body);
        await touchedByAdmin(p);
        return changed({ id: c.id, key: c.masked, enabled: body.enabled });
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/providers/:name/credentials/:id',
      tag: 'credentials',
      summary: 'Delete a credential.',
      handler: async ({ params }) => {
        const p = await provider(params.name);
        const c = credential(p, params);
        await store().deleteCredential(p.name, c.id);
        await touchedByAdmin(p);
        return changed({ deleted: c.id });
      },
    }),
    route({
      method: 'POST',
      url: '/api/providers/:name/credentials/:id/test',
      tag: 'credentials',
      summary: "Test one credential with a cheap upstream call: ok, or the upstream's error.",
      handler: async ({ params }) => {
        const p = await provider(params.name);
        const c = credential(p, params);
        return { credential_id: c.id, key: c.masked, ...(await testCredential(providerConfig(p, [c.secret]), c.secret)) };
      },
    }),

    // ---- model mapping ----
    route({
      method: 'GET',
      url: '/api/mapping',
      tag: 'routing',
      summary: 'The model mapping (requested model → upstream model), in order.',
      handler: async () => ({ model_mapping: Object.fromEntries(await store().getMapping()) }),
    }),
    route({
      method: 'PUT',
      url: '/api/mapping',
      tag: 'routing',
      summary: 'Replace the model mapping (validated like `model_mapping` in the config file).',
      body: s.mappingBody,
      handler: async ({ body }) => {
        const r = configSchema.safeParse({ model_mapping: body.model_mapping });
        if (!r.success) throw new AdminError(400, `Invalid model_mapping: ${issues(r.error, 1)}`);
        await store().setMapping(Object.entries(r.data.model_mapping));
        return changed({ model_mapping: Object.fromEntries(await store().getMapping()) });
      },
    }),

    // ---- settings ----
    route({
      method: 'GET',
      url: '/api/settings',
      tag: 'settings',
      summary: 'Settings changeable at run time.',
      handler: () => cp.settings,
    }),
    route({
      method: 'PATCH',
      url: '/api/settings',
      tag: 'settings',
      summary: 'Change settings (validated like the same keys in the config file); they apply at once and persist.',
      body: s.settingsPatchBody,
      handler: async ({ body }) => {
        const r = configSchema.safeParse(body);
        if (!r.success) throw new AdminError(400, `Invalid settings: ${issues(r.error)}`);
        const next: Record<string, unknown> = {};
        for (const k of SETTING_KEYS) if (k in body) next[k] = r.data[k];
        await store().putSettings(next);
        cp.settings = { ...cp.settings, ...(next as Partial<Settings>) };
        cp.applySettings();
        if ('log_retention_days' in next || 'log_max_records' in next) await cp.prune();
        return cp.settings;
      },
    }),

    // ---- pool ----
    route({
      method: 'GET',
      url: '/api/pool',
      tag: 'routing',
      summary: "Every provider's credentials and their live state (cooling, open circuit, invalid, …).",
      handler: () => ({ providers: cp.gateway().poolState() }),
    }),
    route({
      method: 'POST',
      url: '/api/pool/reset',
      tag: 'routing',
      summary: "Reset credentials to healthy: one (provider + index), a provider's, or all (empty body).",
      body: s.poolResetBody,
      handler: ({ body }) => ({ reset: cp.gateway().resetCredential(body.provider, body.index) }),
    }),

    // ---- request log ----
    route({
      method: 'GET',
      url: '/api/requests',
      tag: 'log',
      summary: 'The request log, newest first, with filters and paging.',
      query: s.requestsQuery,
      handler: async ({ query }) => {
        await cp.flush();
        const r = await store().queryRequests({
          from: query.from,
          to: query.to,
          status: query.status,
          model: query.model,
          provider: query.provider,
          userKey: query.user_key,
          dialect: query.dialect,
          errorsOnly: query.errors,
          limit: query.limit,
          offset: query.offset,
        });
        return { total: r.total, limit: query.limit, offset: query.offset, items: r.items.map((x) => requestView(x)) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/requests/:id',
      tag: 'log',
      summary: 'One request in detail (with its bodies when `store_bodies` was on).',
      handler: async ({ params }) => {
        await cp.flush();
        const r = await store().getRequest(params.id);
        if (!r) throw new AdminError(404, `No request ${params.id} in the log.`);
        return requestView(r, true);
      },
    }),

    // ---- stats ----
    route({
      method: 'GET',
      url: '/api/stats',
      tag: 'stats',
      summary: 'Totals and hour/day time series of requests, errors, tokens and latency, optionally grouped.',
      query: s.statsQuery,
      handler: async ({ query }) => {
        await cp.flush();
        const to = query.to ?? Date.now() + 1;
        const from = query.from ?? to - 86_400_000;
        return store().stats({ from, to, bucket: query.bucket, groupBy: query.group_by });
      },
    }),

    // ---- user keys ----
    route({
      method: 'GET',
      url: '/api/keys',
      tag: 'keys',
      summary: "User keys (masked) with today's usage.",
      handler: async () => ({ keys: (await store().listUserKeys()).map(keyView) }),
    }),
    route({
      method: 'POST',
      url: '/api/keys',
      tag: 'keys',
      summary: 'Create a user key. The answer carries the key in full; it is shown this once.',
      body: s.userKeyCreateBody,
      status: 201,
      handler: async ({ body }) => {
        if ((await store().listUserKeys()).some((k) => k.name === body.name)) throw new AdminError(409, `A user key named "${body.name}" exists already.`);
        const key = generateUserKey();
        const rec = await store().createUserKey({
          name: body.name,
          hash: tokenHash(key),
          masked: maskSecret(key),
          enabled: body.enabled,
          expiresAt: body.expires_at,
          allowedModels: body.allowed_models,
          dailyRequests: body.daily_requests,
          dailyTokens: body.daily_tokens,
          rpm: body.rpm,
        });
        cp.registry.put(rec);
        return { ...keyView(rec), api_key: key, note: 'This is the only time the key is shown in full.' };
      },
    }),
    route({
      method: 'GET',
      url: '/api/keys/:id',
      tag: 'keys',
      summary: 'One user key (masked).',
      handler: ({ params }) => keyView(keyRecord(params)),
    }),
    route({
      method: 'PATCH',
      url: '/api/keys/:id',
      tag: 'keys',
      summary: 'Edit a user key: name, enabled, expiry, allowed models, limits (null = no limit). A revoked key can only be renamed.',
      body: s.userKeyPatchBody,
      handler: async ({ params, body }) => {
        const k = keyRecord(params);
        // A revoked key can only be renamed (to free its name); nothing else about it can change.
        if (k.revokedAt !== null && Object.keys(body).some((f) => f !== 'name')) throw new AdminError(409, `User key "${k.name}" was revoked; create a new one.`);
        if (body.name !== undefined && body.name !== k.name && (await store().listUserKeys()).some((x) => x.name === body.name)) {
          throw new AdminError(409, `A user key named "${body.name}" exists already.`);
        }
        const patch: UserKeyPatch = {
          name: body.name,
          enabled: body.enabled,
          expiresAt: body.expires_at,
          allowedModels: body.allowed_models,
          dailyRequests: body.daily_requests,
          dailyTokens: body.daily_tokens,
          rpm: body.rpm,
        };
        const rec = await store().updateUserKey(k.id, patch);
        if (!rec) throw new AdminError(404, `No user key ${k.id}.`);
        cp.registry.put(rec);
        return keyView(rec);
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/keys/:id',
      tag: 'keys',
      summary: 'Revoke a user key (it stays in the list and the log, and never works again).',
      handler: async ({ params }) => {
        const k = keyRecord(params);
        const rec = (await store().updateUserKey(k.id, { revokedAt: k.revokedAt ?? Date.now(), enabled: false })) as UserKeyRecord;
        cp.registry.put(rec);
        return keyView(rec);
      },
    }),
  ];
}

export function registerAdminRoutes(app: FastifyInstance, cp: ControlPlane): void {
  const routes = [...adminRoutes(cp), ...consoleApiRoutes(cp)]; // the browser console's additions: src/admin/console-routes.ts
  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      handler: async (req, reply) => {
        if (!cp.checkAdmin(req, reply)) return reply;
        reply.header('cache-control', 'no-store');
        try {
          const body = r.body ? parse(r.body, readJson(req.body), 'body') : undefined;
          const query = r.query ? parse(r.query, req.query, 'query') : undefined;
          const out = await r.handler({ params: req.params as Record<string, string>, body, query, req });
          return reply.code(r.status ?? 200).send(out);
        } catch (err) {
          if (err instanceof AdminError) return reply.code(err.status).send({ error: { message: err.message, code: err.code } });
          if (err instanceof GatewayError) return reply.code(err.status).send({ error: { message: err.message, code: err.kind } });
          cp.log.error({ err, route: r.url }, 'admin API: unexpected error');
          return reply.code(500).send({ error: { message: `Unexpected error: ${(err as Error).message}`, code: 'internal' } });
        }
      },
    });
  }
  const doc = openApiDocument(routes);
  app.get('/api/openapi.json', (_req, reply) => reply.header('cache-control', 'no-store').send(doc));
}
