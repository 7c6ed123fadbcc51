import { z } from 'zod';
import { VERSION } from '../version.js';
import type { AdminRoute } from './routes.js';

// The admin API described as OpenAPI 3.1, built from the same route table that registers the
// routes, with request schemas converted from the zod schemas that validate them.

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const ERROR = {
  type: 'object',
  properties: { error: { type: 'object', properties: { message: { type: 'string' }, code: { type: 'string' } }, required: ['message'] } },
  required: ['error'],
};

export function openApiDocument(routes: AdminRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params: Json[] = [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: m[1] === 'id' ? 'integer' : 'string' },
    }));
    if (r.query) {
      const props = (jsonSchema(r.query).properties ?? {}) as Record<string, Json>;
      for (const [name, schema] of Object.entries(props)) params.push({ name, in: 'query', required: false, schema });
    }
    const status = String(r.status ?? 200);
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[/_.](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        [status]: { description: 'Success', content: { 'application/json': { schema: { type: 'object' } } } },
        '400': { description: 'Invalid body or query', content: { 'application/json': { schema: ERROR } } },
        '401': { description: 'Missing or wrong admin password', content: { 'application/json': { schema: ERROR } } },
        '404': { description: 'No such resource', content: { 'application/json': { schema: ERROR } } },
        '429': { description: 'Too many wrong passwords from this address (see Retry-After)', content: { 'application/json': { schema: ERROR } } },
      },
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard admin API',
      version: VERSION,
      description:
        'Providers, credentials, model mapping, settings, credential pool, request log, stats and user keys. Every operation needs the admin password as a Bearer token. Secrets are never returned in full.',
    },
    servers: [{ url: '/' }],
    security: [{ adminPassword: [] }],
    components: { securitySchemes: { adminPassword: { type: 'http', scheme: 'bearer', description: 'admin_password (or the API key when none is set)' } } },
    paths,
  };
}
