import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sanitizeSchema, type GeminiSchema } from './sanitize-schema.js';

const FIXTURES = new URL('../../../test/fixtures/clients/', import.meta.url);
function captureBody(name: string, i = 0): Record<string, unknown> {
  const json = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as { requests: { body: Record<string, unknown> }[] };
  return json.requests[i].body;
}

const ANY = {
  anyOf: [
    { type: 'STRING' },
    { type: 'NUMBER' },
    { type: 'BOOLEAN' },
    { type: 'OBJECT' },
    { type: 'ARRAY', items: { type: 'STRING' } },
  ],
};

// Wraps a property schema in an object root so the parameters-root rules stay out of the way.
const prop = (s: unknown) => ({ type: 'object', properties: { p: s } });
const propOut = (s: unknown) => ({ type: 'OBJECT', properties: { p: s } });

describe('sanitizeSchema rules', () => {
  const cases: { name: string; input: unknown; expected: unknown }[] = [
    {
      name: 'drops $schema, additionalProperties and other unknown keywords, uppercases types',
      input: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'x',
        $comment: 'c',
        type: 'object',
        properties: { a: { type: 'string', examples: ['x'], readOnly: true, uniqueItems: true } },
        additionalProperties: false,
        unevaluatedProperties: false,
        patternProperties: { '^x': { type: 'string' } },
        propertyNames: { pattern: '^a' },
      },
      expected: { type: 'OBJECT', properties: { a: { type: 'STRING' } } },
    },
    {
      name: 'type [T, null] -> T + nullable',
      input: prop({ type: ['string', 'null'], description: 'd' }),
      expected: propOut({ type: 'STRING', description: 'd', nullable: true }),
    },
    {
      name: 'type list of several types -> anyOf, description on the outer node',
      input: prop({ type: ['string', 'number', 'null'], description: 'd' }),
      expected: propOut({ anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }], description: 'd', nullable: true }),
    },
    {
      name: 'anyOf [X, {type:null}] -> X + nullable, outer description wins',
      input: prop({ anyOf: [{ type: 'array', items: { type: 'string' }, description: 'inner' }, { type: 'null' }], description: 'outer' }),
      expected: propOut({ type: 'ARRAY', description: 'outer', items: { type: 'STRING' }, nullable: true }),
    },
    {
      name: 'oneOf with several non-null branches stays anyOf',
      input: prop({ oneOf: [{ type: 'string' }, { type: 'object', properties: { x: { type: 'integer' } } }, { type: 'null' }] }),
      expected: propOut({ anyOf: [{ type: 'STRING' }, { type: 'OBJECT', properties: { x: { type: 'INTEGER' } } }], nullable: true }),
    },
    {
      name: 'nested unions are flattened',
      input: prop({ anyOf: [{ type: 'string' }, { anyOf: [{ type: 'integer' }, { type: 'boolean' }] }] }),
      expected: propOut({ anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }, { type: 'BOOLEAN' }] }),
    },
    {
      name: 'union of string consts collapses to one enum',
      input: prop({ anyOf: [{ const: 'a' }, { const: 'b' }, { type: 'string', enum: ['c', 'a'] }], description: 'pick' }),
      expected: propOut({ type: 'STRING', enum: ['a', 'b', 'c'], description: 'pick' }),
    },
    {
      name: 'constraint-only anyOf branches are dropped',
      input: prop({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, anyOf: [{ required: ['a'] }, { required: ['b'] }] }),
      expected: propOut({ type: 'OBJECT', properties: { a: { type: 'STRING' }, b: { type: 'STRING' } } }),
    },
    {
      name: 'outer object keywords are merged into each union branch',
      input: prop({
        type: 'object',
        properties: { kind: { type: 'string' } },
        required: ['kind'],
        oneOf: [{ properties: { a: { type: 'number' } } }, { properties: { b: { type: 'boolean' } }, required: ['b'] }],
      }),
      expected: propOut({
        anyOf: [
          { type: 'OBJECT', properties: { a: { type: 'NUMBER' }, kind: { type: 'STRING' } }, required: ['kind'] },
          { type: 'OBJECT', properties: { b: { type: 'BOOLEAN' }, kind: { type: 'STRING' } }, required: ['b', 'kind'] },
        ],
      }),
    },
    {
      name: 'allOf is merged',
      input: prop({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'integer' } }, required: ['b', 'a'] },
        ],
        description: 'both',
      }),
      expected: propOut({
        type: 'OBJECT',
        description: 'both',
        properties: { a: { type: 'STRING' }, b: { type: 'INTEGER' } },
        required: ['a', 'b'],
      }),
    },
    {
      name: 'const -> enum [value]; null in enum -> nullable',
      input: { type: 'object', properties: { a: { const: 'fixed' }, b: { type: ['string', 'null'], enum: ['x', null] } } },
      expected: { type: 'OBJECT', properties: { a: { type: 'STRING', enum: ['fixed'] }, b: { type: 'STRING', enum: ['x'], nullable: true } } },
    },
    {
      name: 'enum values are stringified on STRING schemas',
      input: prop({ type: 'string', enum: ['a', 1, true] }),
      expected: propOut({ type: 'STRING', enum: ['a', '1', 'true'] }),
    },
    {
      name: 'numeric/boolean enums move into the description, the type stays',
      input: { type: 'object', properties: { n: { type: 'integer', enum: [60, 1440], description: 'Minutes' }, c: { const: 3 } } },
      expected: {
        type: 'OBJECT',
        properties: {
          n: { type: 'INTEGER', description: 'Minutes. Allowed values: 60, 1440.' },
          c: { type: 'INTEGER', description: 'Allowed values: 3.' },
        },
      },
    },
    {
      name: 'format kept only where Gemini supports it',
      input: {
        type: 'object',
        properties: {
          when: { type: 'string', format: 'date-time' },
          uri: { type: 'string', format: 'uri' },
          big: { type: 'integer', format: 'int64' },
          f: { type: 'number', format: 'float' },
          bad: { type: 'integer', format: 'uint8' },
          e: { type: 'string', format: 'enum' },
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          when: { type: 'STRING', format: 'date-time' },
          uri: { type: 'STRING' },
          big: { type: 'INTEGER', format: 'int64' },
          f: { type: 'NUMBER', format: 'float' },
          bad: { type: 'INTEGER' },
          e: { type: 'STRING' },
        },
      },
    },
    {
      name: 'exclusive bounds become inclusive ones; others kept',
      input: {
        type: 'object',
        properties: {
          i: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 },
          n: { type: 'number', exclusiveMinimum: 0.5, minimum: 1, maximum: 2, multipleOf: 0.5 },
          s: { type: 'string', minLength: 1, maxLength: 5, pattern: '^a' },
          old: { type: 'number', minimum: 0, exclusiveMinimum: true },
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          i: { type: 'INTEGER', minimum: 1, maximum: 9 },
          n: { type: 'NUMBER', minimum: 1, maximum: 2 },
          s: { type: 'STRING', minLength: 1, maxLength: 5, pattern: '^a' },
          old: { type: 'NUMBER', minimum: 0 },
        },
      },
    },
    {
      name: 'required: duplicates and names not in properties removed',
      input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'a', 'ghost', 7] },
      expected: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['a'] },
    },
    {
      name: 'properties/required only on objects',
      input: prop({ type: 'string', properties: { x: { type: 'string' } }, required: ['x'] }),
      expected: propOut({ type: 'STRING' }),
    },
    {
      name: 'nested empty object -> free-form OBJECT without properties',
      input: prop({ type: 'object', properties: {}, required: [], additionalProperties: { type: 'string' }, description: 'map' }),
      expected: propOut({ type: 'OBJECT', description: 'map' }),
    },
    {
      name: 'arrays always get items: tuple -> first, prefixItems -> first, none -> ANY',
      input: {
        type: 'object',
        properties: {
          t: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
          p: { type: 'array', prefixItems: [{ type: 'integer' }], items: false },
          n: { type: 'array', minItems: 1, maxItems: 3 },
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          t: { type: 'ARRAY', items: { type: 'STRING' } },
          p: { type: 'ARRAY', items: { type: 'INTEGER' } },
          n: { type: 'ARRAY', items: ANY, minItems: 1, maxItems: 3 },
        },
      },
    },
    {
      name: 'missing type is inferred; untyped schema -> ANY keeping its description',
      input: {
        type: 'object',
        properties: {
          o: { properties: { x: { type: 'string' } } },
          a: { items: { type: 'string' } },
          e: { enum: ['x', 'y'] },
          s: { maxLength: 3 },
          n: { minimum: 1 },
          any: { description: 'anything' },
          t: true,
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          o: { type: 'OBJECT', properties: { x: { type: 'STRING' } } },
          a: { type: 'ARRAY', items: { type: 'STRING' } },
          e: { type: 'STRING', enum: ['x', 'y'] },
          s: { type: 'STRING', maxLength: 3 },
          n: { type: 'NUMBER', minimum: 1 },
          any: { ...ANY, description: 'anything' },
          t: ANY,
        },
      },
    },
    {
      name: 'local $ref and $defs/definitions are inlined, siblings win',
      input: {
        type: 'object',
        $defs: { Pos: { type: 'object', properties: { x: { type: 'number' } }, description: 'a position' } },
        definitions: { Name: { type: 'string' } },
        properties: {
          at: { $ref: '#/$defs/Pos', description: 'where' },
          name: { $ref: '#/definitions/Name' },
          same: { $ref: '#/properties/name' },
          remote: { $ref: 'https://example.com/schema.json' },
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          at: { type: 'OBJECT', description: 'where', properties: { x: { type: 'NUMBER' } } },
          name: { type: 'STRING' },
          same: { type: 'STRING' },
          remote: ANY,
        },
      },
    },
    {
      name: 'recursive $ref is expanded twice, then cut to a plain object',
      input: {
        type: 'object',
        properties: { root: { $ref: '#/$defs/Node' } },
        $defs: {
          Node: {
            type: 'object',
            description: 'node',
            properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
          },
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          root: {
            type: 'OBJECT',
            description: 'node',
            properties: {
              name: { type: 'STRING' },
              children: {
                type: 'ARRAY',
                items: {
                  type: 'OBJECT',
                  description: 'node',
                  properties: {
                    name: { type: 'STRING' },
                    children: { type: 'ARRAY', items: { type: 'OBJECT' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    {
      name: 'Gemini-style input (uppercase types, nullable) passes through',
      input: { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true } }, required: ['a'] },
      expected: { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true } }, required: ['a'] },
    },
    {
      name: 'default, title and description are kept',
      input: prop({ type: 'boolean', default: false, title: 'T', description: 'D' }),
      expected: propOut({ type: 'BOOLEAN', title: 'T', description: 'D', default: false }),
    },
    {
      name: 'root union collapses into one object: union of properties, intersection of required',
      input: {
        description: 'either',
        anyOf: [
          { type: 'object', properties: { a: { type: 'string' }, c: { type: 'string' } }, required: ['a', 'c'] },
          { type: 'object', properties: { b: { type: 'string' }, c: { type: 'string' } }, required: ['b', 'c'] },
        ],
      },
      expected: {
        type: 'OBJECT',
        description: 'either',
        properties: { a: { type: 'STRING' }, c: { type: 'STRING' }, b: { type: 'STRING' } },
        required: ['c'],
      },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      expect(sanitizeSchema(c.input)).toEqual(c.expected);
    });
  }

  it('returns undefined for an empty root object (caller omits parameters)', () => {
    expect(sanitizeSchema({ type: 'object', properties: {} })).toBeUndefined();
    expect(sanitizeSchema({ type: 'object', properties: {}, required: [], additionalProperties: false })).toBeUndefined();
    expect(sanitizeSchema({})).toBeUndefined();
    expect(sanitizeSchema(undefined)).toBeUndefined();
    expect(sanitizeSchema({ type: 'string' })).toBeUndefined();
  });

  it('response root keeps non-object roots and drops root nullability', () => {
    expect(sanitizeSchema({ type: ['array', 'null'], items: { type: 'string' } }, 'response')).toEqual({
      type: 'ARRAY',
      items: { type: 'STRING' },
    });
    expect(sanitizeSchema({ type: 'object', properties: {} }, 'response')).toBeUndefined();
  });

  it('does not modify its input', () => {
    const input = { type: 'object', properties: { a: { type: ['string', 'null'] } }, $defs: { X: { type: 'string' } } };
    const before = JSON.stringify(input);
    sanitizeSchema(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('terminates on self-referencing allOf and deep nesting', () => {
    const selfAllOf = { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { allOf: [{ $ref: '#/$defs/A' }] } } };
    expect(() => sanitizeSchema(selfAllOf)).not.toThrow();
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 100; i++) deep = { type: 'object', properties: { x: deep } };
    const out = sanitizeSchema(deep);
    expect(problems(out)).toEqual([]);
  });
});

// ---- every keyword left must be one Gemini knows -----------------------------------------------

const ALLOWED = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'default', 'items', 'minItems', 'maxItems',
  'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'anyOf',
]);
const TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT']);

function problems(schema: GeminiSchema | undefined, path = '$'): string[] {
  if (schema === undefined) return [];
  const out: string[] = [];
  for (const k of Object.keys(schema)) if (!ALLOWED.has(k)) out.push(`${path}: forbidden keyword ${k}`);
  const { type, anyOf, properties, required, items } = schema;
  if (type !== undefined && anyOf !== undefined) out.push(`${path}: both type and anyOf`);
  if (type === undefined && anyOf === undefined) out.push(`${path}: neither type nor anyOf`);
  if (type !== undefined && !TYPES.has(type as string)) out.push(`${path}: bad type ${String(type)}`);
  if (schema.enum !== undefined && (type !== 'STRING' || !(schema.enum as unknown[]).every((v) => typeof v === 'string'))) {
    out.push(`${path}: enum on a non-string`);
  }
  if ((properties !== undefined || required !== undefined) && type !== 'OBJECT') out.push(`${path}: properties on non-object`);
  if (properties !== undefined) {
    const names = Object.keys(properties as object);
    if (names.length === 0) out.push(`${path}: empty properties`);
    for (const n of names) out.push(...problems((properties as Record<string, GeminiSchema>)[n], `${path}.${n}`));
    const req = (required ?? []) as string[];
    if (new Set(req).size !== req.length) out.push(`${path}: duplicate required`);
    for (const r of req) if (!names.includes(r)) out.push(`${path}: required ${r} not in properties`);
  }
  if (type === 'ARRAY') {
    if (items === undefined) out.push(`${path}: array without items`);
    else out.push(...problems(items as GeminiSchema, `${path}[]`));
  }
  if (Array.isArray(anyOf)) anyOf.forEach((b, i) => out.push(...problems(b as GeminiSchema, `${path}|${i}`)));
  return out;
}

describe('sanitizeSchema on real client tool schemas', () => {
  const claudeTools = (captureBody('claude-code-p-apikey.json').tools as { name: string; input_schema: unknown }[]).map(
    (t) => [`claude-code ${t.name}`, t.input_schema] as const,
  );
  const codexTools: (readonly [string, unknown])[] = [];
  const walk = (t: Record<string, unknown>, prefix: string) => {
    if (t.type === 'namespace') for (const inner of t.tools as Record<string, unknown>[]) walk(inner, `${prefix}${String(t.name)}.`);
    else if (t.parameters !== undefined) codexTools.push([`codex ${prefix}${String(t.name)}`, t.parameters]);
  };
  for (const t of captureBody('codex-exec-responses.json').tools as Record<string, unknown>[]) walk(t, '');

  it('found the tools in the captures', () => {
    expect(claudeTools.length).toBeGreaterThanOrEqual(12);
    expect(codexTools.length).toBeGreaterThanOrEqual(12);
    expect(codexTools.some(([n]) => n.startsWith('codex multi_agent_v1.'))).toBe(true);
  });

  for (const [name, schema] of [...claudeTools, ...codexTools]) {
    it(`${name}: no keyword Gemini rejects remains`, () => {
      const out = sanitizeSchema(schema);
      expect(problems(out)).toEqual([]);
      const input = schema as { properties?: Record<string, unknown> };
      if (input.properties && Object.keys(input.properties).length > 0) {
        expect(Object.keys((out?.properties ?? {}) as object)).toEqual(Object.keys(input.properties));
      } else {
        expect(out).toBeUndefined();
      }
    });
  }

  it('keeps what matters in a real schema (Claude Code Agent)', () => {
    const agent = claudeTools.find(([n]) => n === 'claude-code Agent')![1];
    const out = sanitizeSchema(agent)!;
    expect(out.required).toEqual(['description', 'prompt']);
    expect((out.properties as Record<string, GeminiSchema>).model).toMatchObject({
      type: 'STRING',
      enum: ['sonnet', 'opus', 'haiku', 'fable'],
    });
  });

  it('sanitizes all Claude Code tools well under a millisecond', () => {
    const schemas = claudeTools.map(([, s]) => s);
    for (let i = 0; i < 200; i++) for (const s of schemas) sanitizeSchema(s);
    const runs = 500;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) for (const s of schemas) sanitizeSchema(s);
    const perRequest = (performance.now() - t0) / runs;
    expect(perRequest).toBeLessThan(0.5);
  });
});
