// Hand narrowing of parsed JSON (request and response bodies, stream events), shared by every codec.
// No schema library: bodies are large (Codex sends ~40 KB, Gemini tens of KB of tool schemas) and the
// codecs read only a fraction of them, so each field is checked where it is read. These helpers never
// throw; validation that names a bad field stays with the dialect that knows its error wording.

/** A JSON object as parsed: string keys, values not yet narrowed. */
export type JsonObject = Record<string, unknown>;

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a string, else undefined. */
export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `v` when it is a finite number, else undefined (NaN and Infinity are not JSON numbers). */
export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
