// A client driver speaks one client dialect through its official SDK and keeps the conversation in that
// SDK's own types, the way an application would: every turn is sent with the whole history so far.

export interface SessionOptions {
  stream: boolean;
  /** Offer the `run_shell` tool. */
  tools?: boolean;
  /** Ask for reasoning the way this dialect does. */
  thinking?: boolean;
}

export interface ToolCallSeen {
  id: string;
  name: string;
  args: unknown;
}

/** One assistant turn, read from the client dialect's own places. */
export interface Reply {
  /** Visible answer text. */
  text: string;
  /** The dialect's finish indicator: chat finish_reason, Anthropic stop_reason, Responses status, Gemini finishReason. */
  finish: string;
  /** Tool calls in the dialect's place (chat tool_calls, tool_use blocks, function_call items, functionCalls). */
  toolCalls: ToolCallSeen[];
  /** Reasoning text in the dialect's place ('' when there was none). */
  reasoning: string;
  /** Reasoning signatures exactly as the client received them (Anthropic signature, Gemini thoughtSignature, Responses encrypted_content). */
  signatures: string[];
}

export interface ImageInput {
  mediaType: string;
  /** Base64 data. */
  data: string;
}

export interface Session {
  /** Sends a user message (optionally with an image) after the history so far. */
  say(text: string, image?: ImageInput): Promise<Reply>;
  /** Answers every tool call of the last reply with `output`. */
  answerTools(output: string): Promise<Reply>;
}

export interface ClientDriver {
  /** Shown in test names. */
  name: string;
  /** What the dialect reports for a normal end and for a turn that ends in tool calls. */
  finish: { stop: string; tool: string };
  /** Whether the dialect has a field that carries a reasoning signature back to the gateway. */
  carriesSignatures: boolean;
  open(gatewayUrl: string, model: string, opts: SessionOptions): Session;
}

export const TOOL = {
  name: 'run_shell',
  description: 'Run a shell command',
  parameters: {
    type: 'object',
    properties: { command: { type: 'string', description: 'The command line' } },
    required: ['command'],
  },
} as const;

/** Parses JSON tool arguments, failing loudly (with the text) when they are not JSON. */
export function parseArgs(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new Error(`tool call arguments are not JSON: ${JSON.stringify(json)}`);
  }
}
