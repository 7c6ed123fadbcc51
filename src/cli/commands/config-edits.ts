// Pure text edits of client config files that change only the keys Switchyard owns and keep every other
// setting, comment and table as the user wrote it.

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Strips `//` and `/* *\/` comments and trailing commas (JSONC, as opencode, Kilo and Gemini CLI accept),
 * leaving strings alone.
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

export class ConfigFileError extends Error {}

/** Parses a JSON/JSONC config file; `undefined` or blank text is an empty object. */
export function parseJsonConfig(text: string | undefined, file: string): JsonObject {
  if (text === undefined || text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(stripJsonComments(text));
  } catch (err) {
    throw new ConfigFileError(`${file} is not valid JSON (${(err as Error).message}); fix it or move it away, then run setup again`);
  }
  if (!isObject(doc)) throw new ConfigFileError(`${file} does not hold a JSON object; fix it or move it away, then run setup again`);
  return doc;
}

/** Deep-merges `patch` into `base`: objects merge key by key, anything else in `patch` replaces. */
export function deepMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as JsonObject, v) : v;
  }
  return out;
}

/** Merges `patch` into a JSON config file's text (comments in the original are not kept). */
export function mergeJsonText(text: string | undefined, patch: JsonObject, file: string): string {
  return JSON.stringify(deepMerge(parseJsonConfig(text, file), patch), null, 2) + '\n';
}

const TABLE_HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;

function tomlString(value: string): string {
  return JSON.stringify(value); // a TOML basic string is a JSON string for the characters we write
}

function tomlLine(key: string, value: string): string {
  return `${key} = ${tomlString(value)}`;
}

/**
 * Sets top-level string keys and replaces (or appends) one `[table]` in a TOML document, by lines:
 * other keys, tables and comments stay exactly as they were.
 */
export function editToml(text: string | undefined, topLevel: Record<string, string>, table: { name: string; values: Record<string, string> }): string {
  const lines = text === undefined || text === '' ? [] : text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const firstTable = lines.findIndex((l) => TABLE_HEADER.test(l));
  const topEnd = firstTable < 0 ? lines.length : firstTable;
  const pending = new Map(Object.entries(topLevel));
  for (let i = 0; i < topEnd; i++) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*=/.exec(lines[i]);
    if (m && pending.has(m[1])) {
      lines[i] = tomlLine(m[1], pending.get(m[1]) as string);
      pending.delete(m[1]);
    }
  }
  const inserted = [...pending].map(([k, v]) => tomlLine(k, v));
  lines.splice(0, 0, ...inserted);

  const body = [`[${table.name}]`, ...Object.entries(table.values).map(([k, v]) => tomlLine(k, v))];
  const start = lines.findIndex((l) => TABLE_HEADER.exec(l)?.[1] === table.name);
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && !TABLE_HEADER.test(lines[end])) end++;
    // keep blank lines and comments that separate it from the next table
    while (end - 1 > start && (lines[end - 1].trim() === '' || lines[end - 1].trim().startsWith('#'))) end--;
    lines.splice(start, end - start, ...body);
  } else {
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    if (lines.length > 0) lines.push('');
    lines.push(...body);
  }
  return lines.join('\n') + '\n';
}

/** Reads a top-level string key of a TOML document (for warnings), or undefined. */
export function tomlTopLevel(text: string | undefined, key: string): string | undefined {
  if (!text) return undefined;
  for (const line of text.split(/\r?\n/)) {
    if (TABLE_HEADER.test(line)) return undefined;
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Sets `KEY=value` lines in a dotenv file, replacing existing ones for those keys and keeping the rest. */
export function editDotenv(text: string | undefined, values: Record<string, string>): string {
  const lines = text === undefined || text === '' ? [] : text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const pending = new Map(Object.entries(values));
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(lines[i]);
    if (m && pending.has(m[1])) {
      lines[i] = `${m[1]}=${pending.get(m[1])}`;
      pending.delete(m[1]);
    }
  }
  for (const [k, v] of pending) lines.push(`${k}=${v}`);
  return lines.join('\n') + '\n';
}
