// Canonical tool-call arguments are parsed JSON (an object for function tools). A string there is
// argument text an upstream sent that was not JSON, kept verbatim so the client sees exactly what the
// model produced (see the decoders' argument parsing).

/** The JSON text of canonical tool arguments, for dialects that carry them as a string; raw text passes through. */
export function stringifyArguments(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}
