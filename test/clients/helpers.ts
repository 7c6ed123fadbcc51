// Shared helpers for the client suites: reading streams the way each client does, and reading what an
// upstream received in its own wire format.
import { SseParser } from '../../src/util/sse.js';
import type { RecordedRequest, Upstream } from '../upstreams/index.js';
import type { Json } from './fixtures.js';

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as unknown[]).filter(isObj) : []);

export interface SseFrame {
  event?: string;
  data: string;
  /** Parsed `data` (undefined for `[DONE]` and non-JSON). */
  json?: Json;
}

/** Parses an SSE body (comments such as `: ping` are skipped, as every SSE client does). */
export function parseSse(text: string): SseFrame[] {
  const p = new SseParser();
  const events = [...p.push(text), ...p.end()];
  return events.map((e) => {
    let json: Json | undefined;
    try {
      const v: unknown = JSON.parse(e.data);
      if (isObj(v)) json = v;
    } catch {
      // [DONE] or not JSON
    }
    return { ...(e.event !== undefined && { event: e.event }), data: e.data, json };
  });
}

/** Number of `: ping` keep-alive comments in a raw SSE body. */
export function countPings(text: string): number {
  return (text.match(/^: ping$/gm) ?? []).length;
}

// ---------------------------------------------------------------------------------------------
// What the client received

export interface ClientAnswer {
  /** Visible text of the answer. */
  text: string;
  /** Tool calls, with their arguments parsed. */
  calls: { name: string; args: unknown; id?: string; namespace?: string }[];
  /** The terminal event/chunk was there (message_stop, response.completed, finishReason). */
  completed: boolean;
  /** An in-stream error the client would surface. */
  error?: Json;
  usage?: Json;
}

/** Anthropic SSE → what @anthropic-ai/sdk's MessageStream accumulates. */
export function readAnthropicStream(frames: SseFrame[]): ClientAnswer {
  const out: ClientAnswer = { text: '', calls: [], completed: false };
  const blocks = new Map<number, { type: string; name?: string; id?: string; json: string }>();
  for (const f of frames) {
    const e = f.json;
    if (!e) continue;
    if (f.event !== undefined) expectEq(f.event, e.type, 'Anthropic event name equals its type');
    switch (e.type) {
      case 'content_block_start': {
        const b = e.content_block as Json;
        blocks.set(e.index as number, { type: String(b.type), name: b.name as string | undefined, id: b.id as string | undefined, json: '' });
        if (b.type === 'text' && typeof b.text === 'string') out.text += b.text;
        break;
      }
      case 'content_block_delta': {
        const d = e.delta as Json;
        const b = blocks.get(e.index as number);
        if (d.type === 'text_delta') out.text += String(d.text);
        if (d.type === 'input_json_delta' && b) b.json += String(d.partial_json);
        break;
      }
      case 'content_block_stop': {
        const b = blocks.get(e.index as number);
        if (b?.type === 'tool_use') out.calls.push({ name: b.name ?? '', id: b.id, args: JSON.parse(b.json === '' ? '{}' : b.json) });
        break;
      }
      case 'message_delta':
        out.usage = e.usage as Json;
        break;
      case 'message_stop':
        out.completed = true;
        break;
      case 'error':
        out.error = e;
        break;
    }
  }
  return out;
}

/** Responses SSE → what Codex acts on: output_item.done items and the terminal event. */
export function readResponsesStream(frames: SseFrame[]): ClientAnswer & { terminal?: string; response?: Json } {
  const out: ClientAnswer & { terminal?: string; response?: Json } = { text: '', calls: [], completed: false };
  for (const f of frames) {
    const e = f.json;
    if (!e) continue;
    const type = String(e.type);
    if (type === 'response.output_text.delta') out.text += String(e.delta);
    if (type === 'response.output_item.done') {
      const item = e.item as Json;
      if (item.type === 'function_call') {
        out.calls.push({
          name: String(item.name),
          id: String(item.call_id),
          args: JSON.parse(String(item.arguments)),
          ...(typeof item.namespace === 'string' && { namespace: item.namespace }),
        });
      }
    }
    if (type === 'response.completed' || type === 'response.failed' || type === 'response.incomplete') {
      out.terminal = type;
      out.response = e.response as Json;
      out.usage = (e.response as Json).usage as Json | undefined;
      out.completed = type === 'response.completed';
    }
    if (type === 'error') out.error = e;
  }
  return out;
}

/** Gemini chunks (SSE data or array elements) → text, calls, and the last chunk's finishReason. */
export function readGeminiChunks(chunks: Json[]): ClientAnswer & { finishReason?: string } {
  const out: ClientAnswer & { finishReason?: string } = { text: '', calls: [], completed: false };
  for (const c of chunks) {
    if (isObj(c.error)) out.error = c.error;
    const cand = arr(c.candidates)[0];
    for (const p of arr((cand?.content as Json | undefined)?.parts)) {
      if (typeof p.text === 'string' && p.thought !== true) out.text += p.text;
      if (isObj(p.functionCall)) out.calls.push({ name: String(p.functionCall.name), id: p.functionCall.id as string | undefined, args: p.functionCall.args ?? {} });
    }
    if (isObj(c.usageMetadata)) out.usage = c.usageMetadata;
  }
  const last = chunks[chunks.length - 1];
  const fr = arr(last?.candidates)[0]?.finishReason;
  if (typeof fr === 'string') {
    out.finishReason = fr;
    out.completed = true;
  }
  return out;
}

/** Chat completion chunks → text, calls (arguments concatenated per index), finish and usage. */
export function readChatStream(frames: SseFrame[]): ClientAnswer & { finishReason?: string; done: boolean } {
  const out: ClientAnswer & { finishReason?: string; done: boolean } = { text: '', calls: [], completed: false, done: false };
  const calls = new Map<number, { name: string; id?: string; args: string }>();
  for (const f of frames) {
    if (f.data === '[DONE]') out.done = true;
    const e = f.json;
    if (!e) continue;
    if (isObj(e.error)) out.error = e.error;
    if (isObj(e.usage)) out.usage = e.usage;
    for (const ch of arr(e.choices)) {
      const d = (ch.delta as Json | undefined) ?? {};
      if (typeof d.content === 'string') out.text += d.content;
      for (const tc of arr(d.tool_calls)) {
        const i = tc.index as number;
        const fn = (tc.function as Json | undefined) ?? {};
        const cur = calls.get(i) ?? { name: '', args: '' };
        if (typeof fn.name === 'string' && fn.name !== '') cur.name = fn.name;
        if (typeof tc.id === 'string') cur.id = tc.id;
        if (typeof fn.arguments === 'string') cur.args += fn.arguments;
        calls.set(i, cur);
      }
      if (typeof ch.finish_reason === 'string') out.finishReason = ch.finish_reason;
    }
  }
  for (const c of calls.values()) out.calls.push({ name: c.name, id: c.id, args: JSON.parse(c.args) });
  out.completed = out.finishReason !== undefined && out.done;
  return out;
}

function expectEq(a: unknown, b: unknown, what: string): void {
  if (a !== b) throw new Error(`${what}: ${String(a)} !== ${String(b)}`);
}

// ---------------------------------------------------------------------------------------------
// What an upstream received

export type UpstreamDialect = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** The upstream's generation requests (model lists and count_tokens excluded). */
export function generationRequests(up: Upstream): RecordedRequest[] {
  return up.requests.filter((r) => r.method === 'POST' && !r.path.includes('count_tokens') && !r.path.includes(':countTokens'));
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((p) => (typeof p.text === 'string' ? p.text : ''))
    .join('\n');
}

/** Text the upstream got as instructions (system prompt, system/developer messages). */
export function upstreamSystemText(dialect: UpstreamDialect, body: Json): string {
  switch (dialect) {
    case 'anthropic':
      return [textOfContent(body.system), ...arr(body.messages).filter((m) => m.role === 'system').map((m) => textOfContent(m.content))].join('\n');
    case 'openai-chat':
      return arr(body.messages)
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => textOfContent(m.content))
        .join('\n');
    case 'openai-responses':
      return [
        typeof body.instructions === 'string' ? body.instructions : '',
        ...arr(body.input).filter((i) => i.role === 'system' || i.role === 'developer').map((i) => textOfContent(i.content)),
      ].join('\n');
    case 'gemini':
      return textOfContent((body.systemInstruction as Json | undefined)?.parts);
  }
}

export interface UpstreamTool {
  name: string;
  schema: unknown;
  raw: Json;
}

/** The function tools an upstream was offered, flat (a Responses namespace's functions as `ns/name`). */
export function upstreamTools(dialect: UpstreamDialect, body: Json): UpstreamTool[] {
  switch (dialect) {
    case 'anthropic':
      return arr(body.tools).filter((t) => t.type === undefined || t.type === 'custom').map((t) => ({ name: String(t.name), schema: t.input_schema, raw: t }));
    case 'openai-chat':
      return arr(body.tools).map((t) => ({ name: String((t.function as Json).name), schema: (t.function as Json).parameters, raw: t }));
    case 'openai-responses':
      return arr(body.tools).flatMap((t) =>
        t.type === 'function'
          ? [{ name: String(t.name), schema: t.parameters, raw: t }]
          : t.type === 'namespace'
            ? arr(t.tools).map((i) => ({ name: `${String(t.name)}/${String(i.name)}`, schema: i.parameters, raw: i }))
            : [],
      );
    case 'gemini':
      return arr(body.tools).flatMap((t) =>
        arr(t.functionDeclarations).map((d) => ({ name: String(d.name), schema: d.parameters ?? d.parametersJsonSchema, raw: d })),
      );
  }
}

/** One tool call in an upstream's history and the result that answers it. */
export interface UpstreamRoundTrip {
  callName: string;
  callId?: string;
  resultText: string;
}

/**
 * Finds the call to `name` and checks the result is paired with it the way the vendor requires;
 * returns undefined when either is missing or they are not paired.
 */
export function upstreamRoundTrip(dialect: UpstreamDialect, body: Json, name: string): UpstreamRoundTrip | undefined {
  switch (dialect) {
    case 'anthropic': {
      const msgs = arr(body.messages).filter((m) => m.role !== 'system');
      for (let i = 0; i < msgs.length - 1; i++) {
        const use = arr(msgs[i].content).find((b) => b.type === 'tool_use' && b.name === name);
        if (!use || msgs[i].role !== 'assistant') continue;
        // Results must lead the very next user turn.
        const next = arr(msgs[i + 1].content);
        const lead = next.slice(0, next.findIndex((b) => b.type !== 'tool_result') === -1 ? next.length : next.findIndex((b) => b.type !== 'tool_result'));
        const res = lead.find((b) => b.tool_use_id === use.id);
        if (res) return { callName: name, callId: String(use.id), resultText: textOfContent(res.content) };
      }
      return undefined;
    }
    case 'openai-chat': {
      const msgs = arr(body.messages);
      for (let i = 0; i < msgs.length; i++) {
        const call = arr(msgs[i].tool_calls).find((c) => (c.function as Json).name === name);
        if (!call) continue;
        for (let j = i + 1; j < msgs.length && msgs[j].role === 'tool'; j++) {
          if (msgs[j].tool_call_id === call.id) return { callName: name, callId: String(call.id), resultText: textOfContent(msgs[j].content) };
        }
      }
      return undefined;
    }
    case 'openai-responses': {
      const items = arr(body.input);
      const i = items.findIndex((it) => it.type === 'function_call' && it.name === name);
      if (i < 0) return undefined;
      const out = items.slice(i + 1).find((it) => it.type === 'function_call_output' && it.call_id === items[i].call_id);
      return out ? { callName: name, callId: String(items[i].call_id), resultText: textOfContent(out.output) } : undefined;
    }
    case 'gemini': {
      const contents = arr(body.contents);
      for (let i = 0; i < contents.length - 1; i++) {
        if (contents[i].role !== 'model') continue;
        const call = arr(contents[i].parts).map((p) => p.functionCall).find((fc) => isObj(fc) && fc.name === name) as Json | undefined;
        if (!call) continue;
        const res = arr(contents[i + 1].parts)
          .map((p) => p.functionResponse)
          .find((fr) => isObj(fr) && fr.name === name && (call.id === undefined || fr.id === undefined || fr.id === call.id)) as Json | undefined;
        if (res) {
          const response = (res.response as Json | undefined) ?? {};
          const text = typeof response.output === 'string' ? response.output : JSON.stringify(response);
          return { callName: name, callId: call.id as string | undefined, resultText: text };
        }
      }
      return undefined;
    }
  }
}

/**
 * Keys Gemini's `Schema` proto has (https://ai.google.dev/api/caching#Schema). Anything else in a
 * function declaration's `parameters` is an "Unknown name" 400.
 */
export const GEMINI_SCHEMA_KEYS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
]);

/** Paths of keys in a Gemini schema that the proto does not have (property NAMES are not keywords). */
export function foreignSchemaKeys(schema: unknown, path = '$'): string[] {
  if (!isObj(schema)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema)) {
    if (!GEMINI_SCHEMA_KEYS.has(k)) out.push(`${path}.${k}`);
    if (k === 'properties' && isObj(v)) for (const [name, sub] of Object.entries(v)) out.push(...foreignSchemaKeys(sub, `${path}.properties.${name}`));
    else if (k === 'items') out.push(...foreignSchemaKeys(v, `${path}.items`));
    else if (k === 'anyOf' && Array.isArray(v)) v.forEach((s, i) => out.push(...foreignSchemaKeys(s, `${path}.anyOf[${i}]`)));
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
