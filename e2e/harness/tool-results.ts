// Reading tool calls and tool results out of a request as each vendor's upstream received it.
import type { ScriptApi } from '../../test/upstreams/index.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);

export interface ToolResult {
  id: string | undefined;
  /** The function's name, where the dialect carries it (Gemini matches results by name: it issues no ids). */
  name?: string;
  output: string;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((p) => (isObj(p) ? String(p.text ?? p.output ?? JSON.stringify(p)) : String(p))).join('\n');
  return JSON.stringify(v ?? '');
}

/** Tool results anywhere in the request's history, in order. */
export function toolResultsIn(api: ScriptApi, body: unknown): ToolResult[] {
  if (!isObj(body)) return [];
  switch (api) {
    case 'chat.completions':
      return arr(body.messages)
        .filter((m) => m.role === 'tool')
        .map((m) => ({ id: typeof m.tool_call_id === 'string' ? m.tool_call_id : undefined, output: text(m.content) }));
    case 'responses':
      return arr(body.input)
        .filter((i) => i.type === 'function_call_output')
        .map((i) => ({ id: typeof i.call_id === 'string' ? i.call_id : undefined, output: text(i.output) }));
    case 'messages':
      return arr(body.messages)
        .flatMap((m) => arr(m.content))
        .filter((b) => b.type === 'tool_result')
        .map((b) => ({ id: typeof b.tool_use_id === 'string' ? b.tool_use_id : undefined, output: text(b.content) }));
    case 'generateContent':
      return arr(body.contents)
        .flatMap((c) => arr(c.parts))
        .filter((p) => isObj(p.functionResponse))
        .map((p) => {
          const fr = p.functionResponse as Json;
          return { id: typeof fr.id === 'string' ? fr.id : undefined, name: String(fr.name), output: JSON.stringify(fr.response ?? null) };
        });
  }
}

/** The API a recorded upstream request was for, from its path. */
export function apiOfPath(path: string): ScriptApi | undefined {
  if (path.includes('/chat/completions')) return 'chat.completions';
  if (path.includes('/responses')) return 'responses';
  if (/\/v1\/messages(\?|$)/.test(path)) return 'messages';
  if (/:(stream)?generateContent/i.test(path)) return 'generateContent';
  return undefined;
}

/** The JSON schema of a structured-output request (Gemini CLI's model router asks for one), if any. */
export function structuredSchema(api: ScriptApi, body: unknown): Record<string, unknown> | undefined {
  if (!isObj(body)) return undefined;
  const pickObj = (v: unknown) => (isObj(v) ? v : undefined);
  switch (api) {
    case 'generateContent': {
      const g = pickObj(body.generationConfig);
      return pickObj(g?.responseJsonSchema) ?? pickObj(g?.responseSchema);
    }
    case 'chat.completions': {
      const f = pickObj(body.response_format);
      return f?.type === 'json_schema' ? pickObj(pickObj(f.json_schema)?.schema) : undefined;
    }
    case 'responses': {
      const f = pickObj(pickObj(body.text)?.format);
      return f?.type === 'json_schema' ? pickObj(f.schema) : undefined;
    }
    case 'messages':
      return pickObj(pickObj(pickObj(body.output_config)?.format)?.schema);
  }
}
