import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codecs } from '../dialects/index.js';
import type { Dialect } from '../canonical/types.js';
import { lastMember, UNDECIDED } from './json-tail.js';

// Reading a member from the end must agree with JSON.parse whenever it answers at all.

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TRICKY_STRINGS = ['usage', '"usage":{"x":1}', 'a\\', '\\"', '}', '{', '][', ',', ':', 'é✓', '', ' "usage" : 5 ', '\\\\"usage\\\\":'];
const KEYS = ['usage', 'usageMetadata', 'id', 'content', 'model', 'x', 'us"age', 'usa\\ge', 'input_tokens', 'metadata'];

function generate(r: () => number, depth: number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const roll = r();
  if (depth > 3 || roll < 0.3) {
    const leaf = r();
    if (leaf < 0.3) return pick(TRICKY_STRINGS);
    if (leaf < 0.5) return Math.floor(r() * 1e6) / 100;
    if (leaf < 0.6) return pick([true, false, null]);
    return 'text '.repeat(Math.floor(r() * 5));
  }
  if (roll < 0.5) return Array.from({ length: Math.floor(r() * 4) }, () => generate(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let n = Math.floor(r() * 5); n > 0; n--) o[pick(KEYS)] = generate(r, depth + 1);
  return o;
}

/** JSON with random whitespace between tokens (as some servers pretty-print), strings left intact. */
function spaced(value: unknown, r: () => number): string {
  const ws = () => [' ', '\n', '\r\n', '\t', ''][Math.floor(r() * 5)];
  if (Array.isArray(value)) return `[${ws()}${value.map((v) => spaced(v, r)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (value !== null && typeof value === 'object')
    return `{${ws()}${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}${ws()}:${ws()}${spaced(v, r)}`)
      .join(`${ws()},${ws()}`)}${ws()}}`;
  return JSON.stringify(value);
}

const needsEscape = (k: string) => JSON.stringify(k) !== `"${k}"`;

describe('lastMember', () => {
  it('agrees with JSON.parse on 20,000 generated objects: nested members of the same name, tricky strings, whitespace', () => {
    const r = rng(7);
    let decided = 0;
    for (let n = 0; n < 20_000; n++) {
      const top = generate(r, 0);
      const obj: Record<string, unknown> = top !== null && typeof top === 'object' && !Array.isArray(top) ? (top as Record<string, unknown>) : { content: top };
      if (r() < 0.6) obj.usage = generate(r, 1);
      if (r() < 0.3) obj.model = generate(r, 1); // a member after it
      const text = r() < 0.5 ? JSON.stringify(obj) : spaced(obj, r);
      const got = lastMember(Buffer.from(text), 'usage');
      const expected = (JSON.parse(text) as Record<string, unknown>).usage;
      if (got !== UNDECIDED) {
        decided += 1;
        expect(got, text).toEqual(expected);
      } else {
        // Only an escaped top-level key may leave it undecided (an escaped spelling could be `usage`).
        expect(Object.keys(obj).some(needsEscape), text).toBe(true);
      }
    }
    expect(decided).toBeGreaterThan(15_000);
  });

  it('reads the last element of a JSON array (Gemini streamed as one array)', () => {
    const text = JSON.stringify([{ usageMetadata: { promptTokenCount: 1 } }, { candidates: [], usageMetadata: { promptTokenCount: 9, totalTokenCount: 12 } }]);
    expect(lastMember(Buffer.from(text + '\n'), 'usageMetadata')).toEqual({ promptTokenCount: 9, totalTokenCount: 12 });
    expect(lastMember(Buffer.from('[{"a":1},{"b":2}]'), 'usageMetadata')).toBeUndefined();
  });

  it('gives up (UNDECIDED) rather than guess: not an object, cut short, a member further back than it reads', () => {
    for (const text of ['', '   ', '42', '"usage"', '[]', '[1,2]', '{"usage":{"a":1}', '{"usage": }', 'usage":{"a":1}}', '{"a":"unterminated}'])
      expect([UNDECIDED, undefined]).toContain(lastMember(Buffer.from(text), 'usage'));
    const long = JSON.stringify({ usage: { input_tokens: 1 }, content: 'x'.repeat(40_000), tail: [1, 2, 3] });
    expect(lastMember(Buffer.from(long), 'usage', 1024)).toBe(UNDECIDED);
    expect(lastMember(Buffer.from(long), 'usage', 64 * 1024)).toEqual({ input_tokens: 1 });
    // A long text at the end is not walked through past the limit either.
    const textLast = JSON.stringify({ usage: { input_tokens: 1 }, content: 'y'.repeat(40_000) });
    expect(lastMember(Buffer.from(textLast), 'usage', 1024)).toBe(UNDECIDED);
    expect(lastMember(Buffer.from(textLast), 'usage', 64 * 1024)).toEqual({ input_tokens: 1 });
    expect(lastMember(Buffer.from('{"usage":{"a":1},"b":2}'), 'absent')).toBeUndefined();
  });

  it('finds the usage of every recorded vendor JSON answer, where JSON.parse does', () => {
    const root = join(import.meta.dirname, '../../test/fixtures/vendor-recordings');
    const dialectOf: Record<string, Dialect> = {
      anthropic: 'anthropic',
      'openai-chat': 'openai-chat',
      'openai-compatible': 'openai-chat',
      'deepseek-chat': 'openai-chat',
      'openai-responses': 'openai-responses',
      gemini: 'gemini',
    };
    let checked = 0;
    for (const [dir, dialect] of Object.entries(dialectOf)) {
      const member = codecs[dialect].usageMember;
      for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.json'))) {
        const bytes = readFileSync(join(root, dir, file));
        let body: unknown;
        try {
          body = JSON.parse(bytes.toString('utf8'));
        } catch {
          continue;
        }
        const last = Array.isArray(body) ? body[body.length - 1] : body;
        if (last === null || typeof last !== 'object') continue;
        const expected = (last as Record<string, unknown>)[member];
        const got = lastMember(bytes, member);
        expect(got, `${dir}/${file}`).not.toBe(UNDECIDED);
        expect(got, `${dir}/${file}`).toEqual(expected);
        if (expected !== undefined) checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});
