import type { CanonicalRequest, Part } from '../canonical/types.js';

// A local token estimate for when the upstream has no counting endpoint (OpenAI-type providers).
// Claude Code decides whether a prompt fits from count_tokens, so an estimate must never be wildly
// low: we count with OpenAI's o200k tokenizer and add a margin, because Claude's and Gemini's
// tokenizers produce more tokens than o200k for the same text (code especially).

/** Margin over o200k counts; errs on the high side on purpose. */
export const ESTIMATE_MARGIN = 1.2;
/** A typical image costs 1–1.6k tokens on every vendor; without decoding it we assume the high end. */
const IMAGE_TOKENS = 1600;
/** Per-message and per-tool framing the vendors add around content. */
const MESSAGE_OVERHEAD = 4;
const TOOL_OVERHEAD = 12;

type CountFn = (text: string) => number;
let counter: Promise<CountFn> | undefined;

/** Loads the tokenizer on first use, so the gateway's start and hot path never pay for it. */
function loadCounter(): Promise<CountFn> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => m.countTokens as CountFn);
  return counter;
}

function partText(p: Part, texts: string[]): number {
  switch (p.type) {
    case 'text':
      texts.push(p.text);
      return 0;
    case 'thinking':
      texts.push(p.text);
      return 0;
    case 'tool_call':
      texts.push(p.name, JSON.stringify(p.arguments ?? {}));
      return 0;
    case 'tool_result': {
      let extra = 0;
      for (const c of p.content) extra += partText(c, texts);
      return extra;
    }
    case 'image':
    case 'document':
      return IMAGE_TOKENS;
  }
}

export async function estimateInputTokens(req: CanonicalRequest): Promise<number> {
  const count = await loadCounter();
  const texts: string[] = [];
  let fixed = 0;
  for (const s of req.system) texts.push(s.text);
  for (const m of req.messages) {
    fixed += MESSAGE_OVERHEAD;
    for (const p of m.parts) fixed += partText(p, texts);
  }
  for (const t of req.tools) {
    fixed += TOOL_OVERHEAD;
    texts.push(t.name, t.description ?? '', JSON.stringify(t.parameters));
  }
  const tokens = count(texts.join('\n'));
  return Math.ceil((tokens + fixed) * ESTIMATE_MARGIN);
}
