// Gemini generateContent through the official `@google/genai` SDK; model turns go back as the SDK returned
// them (all parts, thought signatures included), as Google's thought-signature guide asks.
import { GoogleGenAI, type Content, type GenerateContentConfig, type GenerateContentResponse, type Part } from '@google/genai';
import { TOOL, type ClientDriver, type ImageInput, type Reply, type Session, type SessionOptions, type ToolCallSeen } from './types.js';

export const geminiDriver: ClientDriver = {
  name: 'gemini',
  // Gemini ends a function-call turn with STOP too; the calls are the response's functionCalls.
  finish: { stop: 'STOP', tool: 'STOP' },
  carriesSignatures: true,
  open(gatewayUrl, model, opts) {
    return new GeminiSession(new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gatewayUrl } }), model, opts);
  },
};

class GeminiSession implements Session {
  private readonly contents: Content[] = [];
  private lastCalls: ToolCallSeen[] = [];

  constructor(
    private readonly client: GoogleGenAI,
    private readonly model: string,
    private readonly opts: SessionOptions,
  ) {}

  say(text: string, image?: ImageInput): Promise<Reply> {
    const parts: Part[] = [{ text }];
    if (image) parts.push({ inlineData: { mimeType: image.mediaType, data: image.data } });
    this.contents.push({ role: 'user', parts });
    return this.complete();
  }

  answerTools(output: string): Promise<Reply> {
    this.contents.push({
      role: 'user',
      parts: this.lastCalls.map((c) => ({ functionResponse: { ...(c.id ? { id: c.id } : {}), name: c.name, response: { output } } })),
    });
    return this.complete();
  }

  private config(): GenerateContentConfig {
    return {
      ...(this.opts.tools
        ? { tools: [{ functionDeclarations: [{ name: TOOL.name, description: TOOL.description, parametersJsonSchema: TOOL.parameters }] }] }
        : {}),
      ...(this.opts.thinking ? { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } } : {}),
    };
  }

  private async complete(): Promise<Reply> {
    const request = { model: this.model, contents: [...this.contents], config: this.config() };
    const parts: Part[] = [];
    let finish = '';
    let calls: ToolCallSeen[] = [];
    if (this.opts.stream) {
      for await (const chunk of await this.client.models.generateContentStream(request)) {
        const cand = chunk.candidates?.[0];
        parts.push(...(cand?.content?.parts ?? []));
        if (cand?.finishReason) finish = cand.finishReason;
        calls.push(...callsOf(chunk));
      }
    } else {
      const res = await this.client.models.generateContent(request);
      const cand = res.candidates?.[0];
      parts.push(...(cand?.content?.parts ?? []));
      finish = cand?.finishReason ?? '';
      calls = callsOf(res);
    }
    this.contents.push({ role: 'model', parts });
    this.lastCalls = calls;
    return {
      text: parts.filter((p) => p.text !== undefined && !p.thought).map((p) => p.text).join(''),
      finish,
      toolCalls: calls,
      reasoning: parts.filter((p) => p.thought).map((p) => p.text ?? '').join(''),
      signatures: parts.map((p) => p.thoughtSignature).filter((s): s is string => typeof s === 'string'),
    };
  }
}

/** The SDK's `functionCalls` accessor (what applications read). */
function callsOf(res: GenerateContentResponse): ToolCallSeen[] {
  return (res.functionCalls ?? []).map((c) => ({ id: c.id ?? '', name: c.name ?? '', args: c.args }));
}
