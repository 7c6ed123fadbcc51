// JSON.parse, but when the text is broken the error says where (line, column, what was found), so a
// person can fix the request. The scanner only runs on the error path; the happy path is JSON.parse.

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw locateSyntaxError(text);
  }
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'the body ended too early';
  const ch = text[i];
  return `found ${JSON.stringify(ch)}`;
}

/** Finds the first offset where `text` stops being JSON. */
export function locateSyntaxError(text: string): JsonSyntaxError {
  let i = 0;
  const fail = (expected: string): never => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < i && k < text.length; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new JsonSyntaxError(`expected ${expected} at line ${line}, column ${col} (offset ${i}): ${describe(text, i)}`, i, line, col);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a JSON value');
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) return void i++;
      if (c === 92) {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? '')) i++;
        else fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else if (c < 32) fail('no raw control characters inside a string (escape newlines as \\n)');
      else i++;
    }
    fail('a closing quote');
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('a JSON value');
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('less deeply nested JSON');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail("':' after the property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return void i++;
        fail("',' or '}' after a property value");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return void i++;
        fail("',' or ']' after an array element");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail('the end of the body after the JSON value');
  } catch (err) {
    if (err instanceof JsonSyntaxError) return err;
    throw err;
  }
  // JSON.parse failed but the scanner did not: report without a position rather than guess.
  return new JsonSyntaxError('the body is not valid JSON', 0, 1, 1);
}
