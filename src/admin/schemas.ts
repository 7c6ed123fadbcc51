import { z } from 'zod';
import { METRICS_AUTH, providerSchema } from '../config/schema.js';
import { STATS_GROUPS } from '../store/types.js';

// Bodies and query strings of the admin API. Provider, mapping and settings bodies are validated by
// the config schema itself (src/config/schema.ts), so the API accepts exactly what the file does.

/** A time as unix milliseconds or an ISO 8601 date. */
export const timeParam = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a time; use unix milliseconds or an ISO 8601 date` });
    return z.NEVER;
  }
  return n;
});

const limit = z.number().int().positive().nullable();

/** POST /api/providers: one entry of the config's `providers:` list. */
export const providerCreateBody = providerSchema;

/** PATCH /api/providers/{name}: any provider field but its name and keys (keys have their own routes), plus its routing position. */
export const providerPatchBody = z
  .object({
    type: z.string().optional(),
    base_url: z.string().optional(),
    models: z.array(z.string().min(1)).nullable().optional(),
    responses: z.boolean().optional(),
    enabled: z.boolean().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    priority: z.number().int().optional(),
    weight: z.number().positive().optional(),
    strategy: z.string().optional(),
    position: z.number().int().min(0).optional(),
  })
  .catchall(z.unknown());

export const credentialCreateBody = z.object({ key: z.string().min(1), enabled: z.boolean().default(true) }).strict();
export const credentialPatchBody = z.object({ enabled: z.boolean() }).strict();

export const mappingBody = z.object({ model_mapping: z.record(z.string(), z.string()) }).strict();

export const settingsPatchBody = z
  .object({
    store_bodies: z.boolean(),
    stored_body_max_size: z.union([z.string(), z.number()]),
    log_retention_days: z.number().positive(),
    log_max_records: z.number().int().positive(),
    metrics_auth: z.enum(METRICS_AUTH),
    ip_allow: z.array(z.string()),
    ip_deny: z.array(z.string()),
  })
  .partial()
  .strict();

export const poolResetBody = z.object({ provider: z.string().optional(), index: z.number().int().min(0).optional() }).strict();

const userKeyFields = {
  name: z.string().min(1).max(100).regex(/^[A-Za-z0-9._@ -]+$/, 'use letters, digits, space, dot, dash, underscore or @'),
  enabled: z.boolean(),
  /** Unix ms or ISO date; null = never expires. */
  expires_at: timeParam.nullable(),
  /** Globs of requested model names; empty = every model. */
  allowed_models: z.array(z.string().min(1)),
  daily_requests: limit,
  daily_tokens: limit,
  rpm: limit,
};

export const userKeyCreateBody = z
  .object({
    ...userKeyFields,
    enabled: userKeyFields.enabled.default(true),
    expires_at: userKeyFields.expires_at.default(null),
    allowed_models: userKeyFields.allowed_models.default([]),
    daily_requests: limit.default(null),
    daily_tokens: limit.default(null),
    rpm: limit.default(null),
  })
  .strict();

export const userKeyPatchBody = z.object(userKeyFields).partial().strict();

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

export const requestsQuery = z
  .object({
    from: timeParam.optional(),
    to: timeParam.optional(),
    status: z
      .string()
      .regex(/^(\d{3}|[1-5]xx)$/i, 'an HTTP status (429) or a class (5xx)')
      .optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    user_key: z.string().optional(),
    dialect: z.string().optional(),
    errors: flag.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const statsQuery = z
  .object({
    from: timeParam.optional(),
    to: timeParam.optional(),
    bucket: z.enum(['hour', 'day']).optional(),
    group_by: z.enum(STATS_GROUPS).optional(),
  })
  .strict();
