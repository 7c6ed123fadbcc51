// Hand-rolled narrowing for the fields we read. No schema library: bodies are large (Codex sends ~40 KB)
// and we only look at a fraction of them.

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function optNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Parses a JSON arguments string; a string that is not JSON is kept as is (never thrown away). */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** The JSON text of canonical tool arguments (a raw string that was not JSON passes through). */
export function stringifyArguments(args: unknown): string {
  if (typeof args === 'string') return args;
  return JSON.stringify(args ?? {});
}
