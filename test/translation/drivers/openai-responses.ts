// OpenAI Responses through the official `openai` SDK, stateless the way Codex runs it: `store: false` and
// the whole conversation (including the previous output items, as returned) in `input`.
import OpenAI from 'openai';
import type {
  FunctionTool,
  Response,
  ResponseCreateParamsBase,
  ResponseInputContent,
  ResponseInputItem,
} from 'openai/resources/responses/responses';
import { parseArgs, TOOL, type ClientDriver, type ImageInput, type Reply, type Session, type SessionOptions, type ToolCallSeen } from './types.js';

export const openaiResponsesDriver: ClientDriver = {
  name: 'openai responses',
  // Responses has no finish reason: a turn ends `completed` either way; tool calls are function_call items.
  finish: { stop: 'completed', tool: 'completed' },
  carriesSignatures: true,
  open(gatewayUrl, model, opts) {
    return new ResponsesSession(new OpenAI({ apiKey: 'client-key', baseURL: `${gatewayUrl}/v1`, maxRetries: 0 }), model, opts);
  },
};

class ResponsesSession implements Session {
  private readonly input: ResponseInputItem[] = [];
  private lastCalls: ToolCallSeen[] = [];

  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly opts: SessionOptions,
  ) {}

  say(text: string, image?: ImageInput): Promise<Reply> {
    const content: ResponseInputContent[] = [{ type: 'input_text', text }];
    if (image) content.push({ type: 'input_image', detail: 'auto', image_url: `data:${image.mediaType};base64,${image.data}` });
    this.input.push({ type: 'message', role: 'user', content });
    return this.complete();
  }

  answerTools(output: string): Promise<Reply> {
    for (const call of this.lastCalls) this.input.push({ type: 'function_call_output', call_id: call.id, output });
    return this.complete();
  }

  private params(): Omit<ResponseCreateParamsBase, 'stream'> {
    const tool: FunctionTool = {
      type: 'function',
      name: TOOL.name,
      description: TOOL.description,
      parameters: { ...TOOL.parameters, required: [...TOOL.parameters.required] },
      strict: false,
    };
    return {
      model: this.model,
      input: [...this.input],
      store: false,
      ...(this.opts.tools ? { tools: [tool] } : {}),
      ...(this.opts.thinking
        ? { reasoning: { effort: 'medium' as const, summary: 'auto' as const }, include: ['reasoning.encrypted_content' as const] }
        : {}),
    };
  }

  private async complete(): Promise<Reply> {
    let res: Response;
    if (this.opts.stream) {
      const stream = this.client.responses.stream(this.params());
      let deltas = '';
      for await (const event of stream) if (event.type === 'response.output_text.delta') deltas += event.delta;
      res = await stream.finalResponse();
      if (deltas !== res.output_text) throw new Error(`streamed text ${JSON.stringify(deltas)} differs from the final response's ${JSON.stringify(res.output_text)}`);
    } else {
      res = await this.client.responses.create({ ...this.params(), stream: false });
    }
    // The output items go back as the next request's input (what the SDK docs and Codex do).
    this.input.push(...wireItems(res.output));
    const reply = readResponse(res);
    this.lastCalls = reply.toolCalls;
    return reply;
  }
}

/**
 * The SDK's stream helper returns a ParsedResponse: it adds `parsed_arguments` to function calls and `parsed`
 * to output text. Those are SDK-side conveniences, not API fields (the API rejects them as unknown
 * parameters, and so does the strict upstream), so they are taken off before the items are sent back.
 */
function wireItems(output: Response['output']): ResponseInputItem[] {
  return output.map((item) => {
    const { parsed_arguments: _args, ...rest } = item as typeof item & { parsed_arguments?: unknown };
    if (rest.type !== 'message') return rest as ResponseInputItem;
    const content = rest.content.map((c) => {
      const { parsed: _parsed, ...part } = c as typeof c & { parsed?: unknown };
      return part;
    });
    return { ...rest, content };
  });
}

function readResponse(res: Response): Reply {
  const toolCalls: ToolCallSeen[] = [];
  const reasoning: string[] = [];
  const signatures: string[] = [];
  for (const item of res.output) {
    if (item.type === 'function_call') toolCalls.push({ id: item.call_id, name: item.name, args: parseArgs(item.arguments) });
    if (item.type === 'reasoning') {
      for (const s of item.summary) reasoning.push(s.text);
      if (item.encrypted_content) signatures.push(item.encrypted_content);
    }
  }
  return { text: res.output_text, finish: res.status ?? '', toolCalls, reasoning: reasoning.join(''), signatures };
}
