// One member of a JSON answer, read from its end without parsing the rest. The relay reads token usage
// from every answer it passes through byte for byte, and every vendor puts usage at the top level, at or
// near the end (Anthropic's and OpenAI's `usage`, Gemini's `usageMetadata`): reading backwards from the
// closing brace finds it after a few hundred bytes, where JSON.parse of the whole answer costs the event
// loop time in proportion to the answer (and built every object in it) after each request.
//
// Exactness: inside a JSON string every `"` is escaped, so reading backwards a string is skipped from its
// closing quote to the previous quote not escaped (preceded by an even number of backslashes); braces
// and brackets outside strings give the depth; at depth 1 a string followed by `:` is a member's key,
// and its value runs to the next `,` or the closing brace at that depth. The last member of a name is
// the one JSON.parse keeps. Whatever this reading cannot settle for certain — a key spelled with escapes,
// text that is not an object, a member further back than `maxScan` bytes — comes back as UNDECIDED, and
// the caller parses the whole text as before.

export const UNDECIDED: unique symbol = Symbol('undecided');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Member names as bytes, made once per name. */
const names = new Map<string, Buffer>();

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index of the last byte before `i` (inclusive) that is not JSON whitespace, or -1. */
function skipSpaceBack(bytes: Uint8Array, i: number): number {
  while (i >= 0 && isSpace(bytes[i])) i -= 1;
  return i;
}

/** The opening quote of the string whose closing quote is at `close`, or -1 when it is not at or after `stop`. */
function stringStart(bytes: Uint8Array, close: number, stop: number): number {
  // Byte by byte in JavaScript, not Buffer#lastIndexOf: strings near the end are short, and at c=1 each
  // call into C++ cost ~0.5 µs on a cold cache, several per answer. Bounded by `stop`, so a long text
  // near the end is not walked through only to give up.
  for (let j = close - 1; j >= stop; j -= 1) {
    if (bytes[j] !== QUOTE) continue;
    let k = j - 1;
    while (k >= 0 && bytes[k] === BACKSLASH) k -= 1;
    if ((j - 1 - k) % 2 === 0) return j; // not escaped
  }
  return -1;
}

/** Whether bytes[from, to) are `name`'s bytes; undefined when they hold a backslash (an escape could spell anything). */
function keyIs(bytes: Uint8Array, from: number, to: number, name: Uint8Array): boolean | undefined {
  let same = to - from === name.length;
  for (let i = from; i < to; i += 1) {
    if (bytes[i] === BACKSLASH) return undefined;
    if (same && bytes[i] !== name[i - from]) same = false;
  }
  return same;
}

/**
 * The parsed value of the last top-level member named `key` of the JSON object that ends `bytes` — or,
 * when `bytes` is an array, of its last element (Gemini's streamed JSON array). `undefined` when that
 * object has no such member; UNDECIDED when it cannot be told for certain from the end (parse it all).
 */
export function lastMember(bytes: Buffer, key: string, maxScan = 16 * 1024): unknown {
  let name = names.get(key);
  if (!name) names.set(key, (name = Buffer.from(key, 'utf8')));
  const stop = Math.max(0, bytes.length - maxScan);
  let i = skipSpaceBack(bytes, bytes.length - 1);
  if (i >= 0 && bytes[i] === CLOSE_BRACKET) i = skipSpaceBack(bytes, i - 1);
  if (i < 0 || bytes[i] !== CLOSE_BRACE) return UNDECIDED;
  let depth = 1;
  let valueEnd = i; // where the member being read ends: the `,` after it, or the closing brace
  i -= 1;
  while (i >= stop) {
    const c = bytes[i];
    if (c === QUOTE) {
      const open = stringStart(bytes, i, stop);
      if (open < 0) return UNDECIDED;
      if (depth === 1) {
        let after = i + 1;
        while (after < valueEnd && isSpace(bytes[after])) after += 1;
        if (bytes[after] === COLON) {
          // A member's key (a string value is followed by `,` or `}` instead).
          const match = keyIs(bytes, open + 1, i, name);
          if (match === undefined) return UNDECIDED; // an escaped spelling could still be `key`
          if (match) {
            try {
              return JSON.parse(bytes.toString('utf8', after + 1, valueEnd));
            } catch {
              return UNDECIDED;
            }
          }
        }
      }
      i = open - 1;
      continue;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth += 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth -= 1;
      if (depth === 0) return c === OPEN_BRACE ? undefined : UNDECIDED; // the object's start: no such member
    } else if (c === COMMA && depth === 1) valueEnd = i;
    i -= 1;
  }
  return UNDECIDED;
}
