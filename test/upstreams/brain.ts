// The default "model": deterministic answers that make translation bugs visible in assertions.
import type { BrainReply, ConversationView, JsonObject, OfferedTool } from './types.js';

const MAX_ECHO = 200;

export function think(view: ConversationView, vendorName: string): BrainReply {
  const reply: BrainReply = {};
  if (view.wantsThinking) reply.thinking = `Thinking about: ${clip(view.lastUserText || 'the conversation')}`;
  if (view.toolResults && view.toolResults.length > 0) {
    reply.text = `tool result was: ${view.toolResults.join('\n')}`;
  } else if (view.tools.length > 0 && /\btool\b/i.test(view.lastUserText)) {
    reply.toolCalls = [{ name: view.tools[0].name, arguments: argumentsFor(view.tools[0]) }];
  } else if (view.imageMediaType) {
    reply.text = `I see an image (${view.imageMediaType})`;
  } else {
    reply.text = `Hello from the ${vendorName} upstream. You said: ${clip(view.lastUserText)}`;
  }
  return reply;
}

function clip(s: string): string {
  return s.length > MAX_ECHO ? s.slice(0, MAX_ECHO) : s;
}

/**
 * `{"command":"echo hi"}` for tools that take a command or declare no properties; otherwise a fixed object
 * that satisfies the tool's required properties, so strict tool schemas still accept the call.
 */
export function argumentsFor(tool: OfferedTool): JsonObject {
  const props = asObject(tool.parameters?.properties);
  if (!props || 'command' in props) return { command: 'echo hi' };
  const required = Array.isArray(tool.parameters?.required) ? (tool.parameters.required as unknown[]) : [];
  const args: JsonObject = {};
  for (const name of required) {
    if (typeof name === 'string') args[name] = sampleValue(asObject(props[name]) ?? {});
  }
  return args;
}

function sampleValue(schema: JsonObject): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (typeof type === 'string' ? type.toLowerCase() : '') {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const sub: OfferedTool = { name: '', parameters: schema };
      return asObject(schema.properties) ? argumentsFor(sub) : {};
    }
    default:
      return 'echo hi';
  }
}

function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** ~4 characters per token, at least 1: stable, so streamed and non-streamed usage agree. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

export interface ReplyUsage {
  input: number;
  output: number;
  /** Part of `output` spent on thinking. */
  thinking: number;
}

export function usageOf(reply: BrainReply, view: ConversationView): ReplyUsage {
  const thinking = reply.thinking ? estimateTokens(reply.thinking) : 0;
  const visible = (reply.text ? estimateTokens(reply.text) : 0)
    + (reply.toolCalls ?? []).reduce((n, c) => n + estimateTokens(c.name) + estimateTokens(c.arguments), 0);
  return {
    input: reply.usage?.input ?? view.inputTokens,
    output: reply.usage?.output ?? Math.max(1, thinking + visible),
    thinking,
  };
}

export function finishOf(reply: BrainReply): 'stop' | 'tool' | 'length' {
  return reply.finish ?? (reply.toolCalls && reply.toolCalls.length > 0 ? 'tool' : 'stop');
}

/** Splits text into a few pieces so streams carry several deltas. */
export function pieces(text: string, count = 3): string[] {
  if (text.length <= 1) return [text];
  const n = Math.min(count, text.length);
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
