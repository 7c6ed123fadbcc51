import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson } from './parse-json.js';

function errorOf(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (err) {
    return err as JsonSyntaxError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseJson', () => {
  it('parses valid JSON like JSON.parse', () => {
    expect(parseJson('{"a":[1,2,{"b":null}],"c":"\\u00e9"}')).toEqual({ a: [1, 2, { b: null }], c: 'é' });
  });

  it.each([
    ['{"a":}', 1, 6, /a JSON value/],
    ['{"model":"x",\n "messages": [tru]}', 2, 15, /a JSON value/],
    ['{"a":1', 1, 7, /body ended too early/],
    ["{'a':1}", 1, 2, /property name in double quotes/],
    ['{"a":1,}', 1, 8, /property name/],
    ['{"a":"line\nbreak"}', 1, 11, /control characters/],
    ['{"a":1} x', 1, 9, /end of the body/],
    ['', 1, 1, /ended too early/],
  ])('locates the break in %j', (text, line, column, what) => {
    const err = errorOf(text);
    expect(err).toBeInstanceOf(JsonSyntaxError);
    expect([err.line, err.column]).toEqual([line, column]);
    expect(err.message).toMatch(what);
  });
});
