// Deciding the answer (script, else the default brain) and sending answers that are not brain replies.
import { think } from './brain.js';
import type { RequestContext } from './http.js';
import { findSignatures } from './signatures.js';
import { frameEvents } from './sse.js';
import type { ConversationView, JsonObject, ScriptAnswer, ScriptApi } from './types.js';

const VENDOR_NAME = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' } as const;

export interface GenerationCall {
  api: ScriptApi;
  model: string;
  stream: boolean;
  body: JsonObject;
  view: ConversationView;
}

export async function decideAnswer(ctx: RequestContext, call: GenerationCall): Promise<ScriptAnswer> {
  const callIndex = ctx.state.calls++;
  const brain = () => think(call.view, VENDOR_NAME[ctx.state.vendor]);
  const scripted = ctx.state.script
    ? await ctx.state.script({ ...call, vendor: ctx.state.vendor, request: ctx.recorded, callIndex, brain })
    : undefined;
  return scripted ?? { kind: 'reply', reply: brain() };
}

/** Sends a `json`, `events` or `raw` answer as-is (signatures inside count as issued by this upstream). */
export async function sendVerbatim(ctx: RequestContext, answer: Exclude<ScriptAnswer, { kind: 'reply' }>, geminiSse = true): Promise<void> {
  switch (answer.kind) {
    case 'json':
      for (const s of findSignatures(answer.body)) ctx.state.signatures.adopt(s);
      ctx.responder.json(answer.status ?? 200, answer.body, answer.headers);
      return;
    case 'events':
      for (const s of findSignatures(answer.events)) ctx.state.signatures.adopt(s);
      await ctx.responder.stream(answer.status ?? 200, frameEvents(answer.dialect, answer.events, geminiSse));
      return;
    case 'raw':
      await ctx.responder.stream(answer.status ?? 200, { contentType: answer.contentType, chunks: answer.chunks });
      return;
  }
}
