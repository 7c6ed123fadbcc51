// Streamed function-call arguments (Vertex AI / Gemini 3 `streamFunctionCallArguments`): instead of
// `args`, chunks carry `partialArgs: [{jsonPath: "$.recipe.steps[1]", stringValue: "…", willContinue}]`.
// https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Content#PartialArg
//
// The canonical stream wants JSON text fragments that concatenate to the full arguments, so this
// writer turns the path/value pairs into JSON text as they arrive. The model emits values in
// generation order (keys in order, array indexes ascending), so each new path only ever closes
// containers and opens new ones: the text can be written incrementally. A string value may arrive in
// several pieces for the same path (willContinue: true) and ends with a piece without willContinue.

type Segment = string | number;

interface Frame {
  kind: 'object' | 'array';
  /** The segment that leads from the parent to this container. */
  key: Segment;
  count: number;
}

export interface PartialArg {
  jsonPath?: unknown;
  stringValue?: unknown;
  numberValue?: unknown;
  boolValue?: unknown;
  nullValue?: unknown;
  willContinue?: unknown;
}

/** Parses `$.a.b[0]['c d']` into segments; undefined when it is not a path we understand. */
export function parseJsonPath(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const out: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i + 1) return undefined;
      out.push(path.slice(i + 1, j));
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (/^'.*'$|^".*"$/s.test(inner)) out.push(inner.slice(1, -1));
      else return undefined;
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return out;
}

function escapeJsonText(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

export class PartialArgsWriter {
  private readonly stack: Frame[] = [];
  private started = false;
  /** Path of a string value whose closing quote is still due. */
  private openString: Segment[] | undefined;

  /** Applies one partialArgs entry; returns the JSON text it adds ('' when nothing). */
  push(arg: PartialArg): string {
    if (typeof arg.jsonPath !== 'string') return '';
    const path = parseJsonPath(arg.jsonPath);
    if (!path || path.length === 0) return '';
    const more = arg.willContinue === true;
    let out = '';

    if (this.openString) {
      if (typeof arg.stringValue === 'string' && samePath(this.openString, path)) {
        out += escapeJsonText(arg.stringValue);
        if (!more) {
          out += '"';
          this.openString = undefined;
        }
        return out;
      }
      out += '"'; // the previous string ended without its final piece
      this.openString = undefined;
    }

    if (!this.started) {
      this.started = true;
      this.stack.push({ kind: 'object', key: '$', count: 0 });
      out += '{';
    }
    // Keep the containers shared with the previous path, close the rest, open the new ones.
    let keep = 0;
    while (keep < path.length - 1 && keep + 1 < this.stack.length && this.stack[keep + 1].key === path[keep]) keep++;
    while (this.stack.length > keep + 1) out += this.stack.pop()!.kind === 'object' ? '}' : ']';
    for (let i = keep; i < path.length - 1; i++) {
      out += this.member(path[i]);
      const kind = typeof path[i + 1] === 'number' ? 'array' : 'object';
      this.stack.push({ kind, key: path[i], count: 0 });
      out += kind === 'object' ? '{' : '[';
    }
    out += this.member(path[path.length - 1]);

    if (typeof arg.stringValue === 'string') {
      out += '"' + escapeJsonText(arg.stringValue);
      if (more) this.openString = path;
      else out += '"';
    } else if (typeof arg.numberValue === 'number') {
      out += JSON.stringify(arg.numberValue);
    } else if (typeof arg.boolValue === 'boolean') {
      out += arg.boolValue ? 'true' : 'false';
    } else {
      out += 'null'; // nullValue ("NULL_VALUE") or a value kind we do not know
    }
    return out;
  }

  /** Closes everything still open; '{}' when no argument ever arrived. */
  end(): string {
    if (!this.started) return '{}';
    let out = this.openString ? '"' : '';
    this.openString = undefined;
    while (this.stack.length > 0) out += this.stack.pop()!.kind === 'object' ? '}' : ']';
    return out;
  }

  /** Separator + key (objects) or padding (arrays) before a member of the innermost container. */
  private member(seg: Segment): string {
    const top = this.stack[this.stack.length - 1];
    let out = '';
    if (top.kind === 'object') {
      if (top.count > 0) out += ',';
      out += JSON.stringify(String(seg)) + ':';
    } else {
      // Indexes arrive in order; fill a gap with nulls rather than misplace the value.
      const index = typeof seg === 'number' ? seg : top.count;
      while (top.count < index) {
        out += (top.count > 0 ? ',' : '') + 'null';
        top.count++;
      }
      if (top.count > 0) out += ',';
    }
    top.count++;
    return out;
  }
}

function samePath(a: Segment[], b: Segment[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
