// Tool-call arguments as the Responses API carries them: a JSON string.

/** Parses a JSON arguments string; a string that is not JSON is kept as is (never thrown away). */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
