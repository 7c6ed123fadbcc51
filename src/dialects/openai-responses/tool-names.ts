// Codex declares some functions inside `namespace` tools ({type:'namespace', name, tools:[functions]})
// and its function_call items carry the two halves separately ({namespace:'multi_agent_v1',
// name:'spawn_agent'}; openai/codex codex-rs/core/src/tools/router.rs builds ToolName::new(namespace,
// name) and rejects a call whose namespace is missing). Upstreams only know flat functions, so a
// namespaced function travels as ONE function whose name is Codex's own flat form
// (codex-rs/protocol/src/tool_name.rs `canonical_flat_name`: namespace + "__" + name, stray underscores
// around the delimiter trimmed) - the name the model would see from OpenAI itself.
//
// Mapping back must be exact, and no separator is safe (both halves may contain "__"), so the pairs
// are remembered when a request is decoded. The codec interface hands encoders only the requested
// model, not the request, hence this small process-wide table; a flat name always maps to the same
// pair, so sharing it across requests is sound. (Proposed canonical change: give encoders the decoded
// request, or let ToolDefinition/ToolCallPart carry `namespace`.)

export interface SplitToolName {
  name: string;
  namespace?: string;
}

const MAX_ENTRIES = 4096;
const known = new Map<string, SplitToolName>();

export function flattenToolName(namespace: string, name: string): string {
  const flat = `${namespace.replace(/_+$/, '')}__${name.replace(/^_+/, '')}`;
  if (!known.has(flat)) {
    if (known.size >= MAX_ENTRIES) {
      const oldest = known.keys().next().value;
      if (oldest !== undefined) known.delete(oldest);
    }
    known.set(flat, { namespace, name });
  }
  return flat;
}

/** The namespace/name pair a flat tool name stands for (just the name when it was never namespaced). */
export function splitToolName(flat: string): SplitToolName {
  return known.get(flat) ?? { name: flat };
}
