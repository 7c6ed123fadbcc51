// The translation matrix: every client SDK against every upstream type, through one real gateway.
//
// Clients (official SDKs): OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, Gemini
// generateContent. Upstreams (strict local vendor stand-ins, see test/upstreams/README.md): an OpenAI
// provider (chat completions), an OpenAI provider with `responses: true` (Responses clients go upstream
// as Responses; every other dialect still goes as chat completions, see src/providers/openai.ts), an
// Anthropic provider and a Gemini provider. Same-dialect cells take the byte relay, the rest translate.
//
// Every case asserts the content, the client dialect's finish indicator, and that the upstream accepted
// and answered the request: the upstreams validate like the vendors and answer a malformed request with
// a 400 (which fails the SDK call); a script hook records each request that got past validation.
// Beyond the five scenarios of the brief, "thinking tool loop" replays a signed tool-call turn, where
// Anthropic and Gemini are strictest about getting their own signature (and thinking text) back intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import {
  startAnthropicUpstream,
  startGeminiUpstream,
  startOpenAIUpstream,
  type JsonObject,
  type ScriptApi,
  type ScriptFn,
  type Upstream,
} from '../upstreams/index.js';
import { anthropicDriver } from './drivers/anthropic.js';
import { geminiDriver } from './drivers/gemini.js';
import { openaiChatDriver } from './drivers/openai-chat.js';
import { openaiResponsesDriver } from './drivers/openai-responses.js';
import type { ClientDriver, Reply } from './drivers/types.js';

/** A valid 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

type ColumnId = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

interface Column {
  id: ColumnId;
  /** Shown in test names. */
  name: string;
  /** Routes to this column's provider. */
  model: string;
  /** How the default brain names itself in its echo. */
  vendor: string;
  /** The API the upstream is called on for a client of this driver. */
  api(driver: ClientDriver): ScriptApi;
}

const COLUMNS: Column[] = [
  { id: 'openai-chat', name: 'openai chat', model: 'gpt-4o', vendor: 'OpenAI', api: () => 'chat.completions' },
  {
    id: 'openai-responses',
    name: 'openai (responses: true)',
    model: 'gpt-resp-4o',
    vendor: 'OpenAI',
    api: (d) => (d === openaiResponsesDriver ? 'responses' : 'chat.completions'),
  },
  { id: 'anthropic', name: 'anthropic', model: 'claude-sonnet-4-5', vendor: 'Anthropic', api: () => 'messages' },
  { id: 'gemini', name: 'gemini', model: 'gemini-2.5-flash', vendor: 'Gemini', api: () => 'generateContent' },
];

const DRIVERS: ClientDriver[] = [openaiChatDriver, openaiResponsesDriver, anthropicDriver, geminiDriver];

interface Cell {
  client: string;
  upstream: string;
  driver: ClientDriver;
  column: Column;
}

const CELLS: Cell[] = DRIVERS.flatMap((driver) => COLUMNS.map((column) => ({ client: driver.name, upstream: column.name, driver, column })));
/** `[label, cell]` rows, so test names read `<client> → <upstream>: <scenario>` (`%s` prints strings unquoted). */
const ROWS = CELLS.map((cell) => [`${cell.client} → ${cell.upstream}`, cell] as const);
const MODES = [
  ['non-streaming', false],
  ['streaming', true],
] as const;

// ---------------------------------------------------------------------------------------------

interface Answered {
  upstream: ColumnId;
  api: ScriptApi;
  stream: boolean;
}

/** Requests the upstreams validated and answered, in order (with the bodies they got). */
const answered: Answered[] = [];
const bodies: JsonObject[] = [];
const track = (upstream: ColumnId): ScriptFn => (ctx) => {
  answered.push({ upstream, api: ctx.api, stream: ctx.stream });
  bodies.push(ctx.body);
  return undefined; // the default brain answers
};

const ups = {} as Record<ColumnId, Upstream>;
let gw: RunningGateway;

beforeAll(async () => {
  [ups['openai-chat'], ups['openai-responses'], ups.anthropic, ups.gemini] = await Promise.all([
    startOpenAIUpstream({ keys: ['sk-up-chat'], script: track('openai-chat') }),
    startOpenAIUpstream({ keys: ['sk-up-resp'], script: track('openai-responses') }),
    startAnthropicUpstream({ keys: ['sk-up-anthropic'], script: track('anthropic') }),
    startGeminiUpstream({ keys: ['up-gemini'], script: track('gemini') }),
  ]);
  gw = await startGateway({
    log_level: 'warn',
    providers: [
      { name: 'oa-resp', type: 'openai', base_url: `${ups['openai-responses'].url}/v1`, api_keys: ['sk-up-resp'], models: ['gpt-resp-*'], responses: true },
      { name: 'oa-chat', type: 'openai', base_url: `${ups['openai-chat'].url}/v1`, api_keys: ['sk-up-chat'], models: ['gpt-4o'] },
      { name: 'an', type: 'anthropic', base_url: `${ups.anthropic.url}/v1`, api_keys: ['sk-up-anthropic'], models: ['claude-*'] },
      { name: 'ge', type: 'gemini', base_url: ups.gemini.url, api_keys: ['up-gemini'], models: ['gemini-*'] },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
  await Promise.all(Object.values(ups).map((u) => u?.close()));
});

/** Runs `body` and checks that exactly these upstream calls were validated and answered meanwhile. */
async function expectUpstreamCalls<T>(cell: Cell, streams: boolean[], body: () => Promise<T>): Promise<T> {
  const since = answered.length;
  const out = await body();
  const api = cell.column.api(cell.driver);
  expect(answered.slice(since)).toEqual(streams.map((stream) => ({ upstream: cell.column.id, api, stream })));
  return out;
}

/** The request bodies of the last `n` upstream calls (right after expectUpstreamCalls: this case's). */
const lastBodies = (n: number): JsonObject[] => bodies.slice(-n);

interface ToolSeen {
  name: unknown;
  description: unknown;
  parameters: unknown;
}

/** The function tools a request offered, in the upstream vendor's own fields. */
function offeredTools(api: ScriptApi, body: JsonObject): ToolSeen[] {
  const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? (v as JsonObject[]) : []);
  switch (api) {
    case 'chat.completions':
      return list(body.tools).map((t) => t.function as JsonObject).map((f) => ({ name: f.name, description: f.description, parameters: f.parameters }));
    case 'responses':
      return list(body.tools).map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
    case 'messages':
      return list(body.tools).map((t) => ({ name: t.name, description: t.description, parameters: t.input_schema }));
    case 'generateContent':
      return list(body.tools)
        .flatMap((t) => list(t.functionDeclarations))
        .map((d) => ({ name: d.name, description: d.description, parameters: d.parameters ?? d.parametersJsonSchema }));
  }
}

/** run_shell arrived whole: name, description, and one required string parameter `command` (Gemini spells types upper-case). */
function expectRunShellOffered(api: ScriptApi, body: JsonObject): void {
  const tools = offeredTools(api, body);
  expect(tools).toHaveLength(1);
  expect(tools[0]).toMatchObject({ name: 'run_shell', description: 'Run a shell command' });
  const params = tools[0].parameters as { type?: string; properties?: Record<string, { type?: string }>; required?: string[] };
  expect(String(params.type).toLowerCase()).toBe('object');
  expect(Object.keys(params.properties ?? {})).toEqual(['command']);
  expect(String(params.properties?.command?.type).toLowerCase()).toBe('string');
  expect(params.required).toEqual(['command']);
}

function expectPlainAnswer(reply: Reply, cell: Cell, said: string): void {
  expect(reply.text).toBe(`Hello from the ${cell.column.vendor} upstream. You said: ${said}`);
  expect(reply.finish).toBe(cell.driver.finish.stop);
  expect(reply.toolCalls).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

describe('translation matrix', () => {
  it.each(ROWS)('%s: plain text', async (_, cell) => {
    const session = cell.driver.open(gw.url, cell.column.model, { stream: false });
    const reply = await expectUpstreamCalls(cell, [false], () => session.say('hello matrix'));
    expectPlainAnswer(reply, cell, 'hello matrix');
    expect(reply.reasoning).toBe('');
  });

  it.each(ROWS)('%s: streaming text', async (_, cell) => {
    const session = cell.driver.open(gw.url, cell.column.model, { stream: true });
    const reply = await expectUpstreamCalls(cell, [true], () => session.say('stream the matrix'));
    expectPlainAnswer(reply, cell, 'stream the matrix');
  });

  describe.each(MODES)('tool round trip (%s)', (mode, stream) => {
    it.each(ROWS)(`%s: tool round trip (${mode})`, async (_, cell) => {
      const session = cell.driver.open(gw.url, cell.column.model, { stream, tools: true });
      const [call, final] = await expectUpstreamCalls(cell, [stream, stream], async () => {
        const first = await session.say('please use the tool');
        return [first, await session.answerTools('tool-output-42')] as const;
      });

      // Both requests offered the tool intact (the brain would call a tool that lost its schema too).
      for (const body of lastBodies(2)) expectRunShellOffered(cell.column.api(cell.driver), body);

      // The call, in the client's own dialect.
      expect(call.toolCalls).toHaveLength(1);
      expect(call.toolCalls[0].name).toBe('run_shell');
      expect(call.toolCalls[0].args).toEqual({ command: 'echo hi' });
      expect(call.finish).toBe(cell.driver.finish.tool);
      expect(call.text).toBe('');

      // The whole history went back with the result; the answer quotes it and ends normally.
      expect(final.text).toContain('tool result was: tool-output-42');
      expect(final.finish).toBe(cell.driver.finish.stop);
      expect(final.toolCalls).toEqual([]);
    });
  });

  it.each(ROWS)('%s: image input', async (_, cell) => {
    const session = cell.driver.open(gw.url, cell.column.model, { stream: false });
    const reply = await expectUpstreamCalls(cell, [false], () => session.say('what is in this picture?', { mediaType: 'image/png', data: PNG }));
    expect(reply.text).toBe('I see an image (image/png)');
    expect(reply.finish).toBe(cell.driver.finish.stop);
  });

  describe.each(MODES)('thinking (%s)', (mode, stream) => {
    it.each(ROWS)(`%s: thinking on (${mode})`, async (_, cell) => {
      const up = ups[cell.column.id];
      const issuedBefore = up.signatures.issued.length;
      const receivedBefore = up.signatures.received.length;
      const session = cell.driver.open(gw.url, cell.column.model, { stream, thinking: true });

      const first = await expectUpstreamCalls(cell, [stream], () => session.say('think it through'));
      expectPlainAnswer(first, cell, 'think it through');
      const issued = up.signatures.issued.slice(issuedBefore);

      if (reasons(cell)) {
        // The upstream reasoned and signed it; the client gets both in its dialect's place.
        expect(issued).toHaveLength(1);
        expect(first.reasoning).toBe('Thinking about: think it through');
        if (cell.driver.carriesSignatures) {
          expect(first.signatures).toHaveLength(1);
          // Byte-exact on the same-dialect relay; wrapped (origin-tagged) when it crosses dialects.
          if (sameDialect(cell)) expect(first.signatures[0]).toBe(issued[0]);
          else expect(first.signatures[0]).toContain(issued[0]);
        } else {
          // Chat Completions has no field for a signature: only the reasoning text arrives.
          expect(first.signatures).toEqual([]);
        }
      } else {
        // An upstream reached through Chat Completions never returns reasoning (OpenAI's chat API has no
        // reasoning output; the local upstream's brain never thinks there), so there is nothing to show or
        // sign. The request for reasoning still has to arrive, as reasoning_effort.
        expect(lastBodies(1)[0].reasoning_effort).toMatch(/^(low|medium|high)$/);
        expect(issued).toEqual([]);
        expect(first.reasoning).toBe('');
        expect(first.signatures).toEqual([]);
      }

      // Second turn: the assistant turn goes back as received (thinking and signature included).
      const second = await expectUpstreamCalls(cell, [stream], () => session.say('and once more'));
      expectPlainAnswer(second, cell, 'and once more');
      expect(second.reasoning).toBe(reasons(cell) ? 'Thinking about: and once more' : '');

      const received = up.signatures.received.slice(receivedBefore);
      // Signatures are replayed only to the upstream that issued them, byte-exact.
      expect(up.signatures.foreign()).toEqual([]);
      if (reasons(cell) && cell.driver.carriesSignatures) {
        expect(received).toEqual(issued);
      } else {
        // Either nothing was signed, or the client dialect (Chat) could not carry the signature back;
        // the unsigned reasoning text must then not reach the upstream as a thinking block.
        expect(received).toEqual([]);
      }
      // Nothing foreign reached any other upstream either.
      for (const other of Object.values(ups)) expect(other.signatures.foreign()).toEqual([]);
    });

    // Where signatures matter most: Anthropic insists that the assistant turn holding the tool_use comes
    // back with its signed thinking block while thinking is on, and Gemini signs the function call itself.
    it.each(ROWS)(`%s: thinking tool loop (${mode})`, async (_, cell) => {
      const up = ups[cell.column.id];
      const issuedBefore = up.signatures.issued.length;
      const receivedBefore = up.signatures.received.length;
      const session = cell.driver.open(gw.url, cell.column.model, { stream, tools: true, thinking: true });

      const [call, final] = await expectUpstreamCalls(cell, [stream, stream], async () => {
        const first = await session.say('please use the tool');
        return [first, await session.answerTools('tool-output-42')] as const;
      });
      expect(call.toolCalls.map((c) => [c.name, c.args])).toEqual([['run_shell', { command: 'echo hi' }]]);
      expect(call.finish).toBe(cell.driver.finish.tool);
      expect(call.reasoning).toBe(reasons(cell) ? 'Thinking about: please use the tool' : '');
      expect(final.text).toContain('tool result was: tool-output-42');
      expect(final.finish).toBe(cell.driver.finish.stop);

      const issued = up.signatures.issued.slice(issuedBefore);
      const received = up.signatures.received.slice(receivedBefore);
      expect(up.signatures.foreign()).toEqual([]);
      if (reasons(cell) && cell.driver.carriesSignatures) {
        // The tool-call turn's signature came back, byte-exact, with the tool result.
        expect(issued.length).toBeGreaterThanOrEqual(1);
        expect(received).toEqual([issued[0]]);
        // Thinking stayed on for the turn after the tool result (what the brain thinks about differs by
        // vendor: the last user text, or "the conversation" when the last user turn holds only results).
        expect(final.reasoning).toMatch(/^Thinking about: /);
      } else {
        expect(received).toEqual([]);
      }
    });
  });
});

/** Whether the upstream returns reasoning for this client: every reasoning API except Chat Completions. */
function reasons(cell: Cell): boolean {
  if (cell.column.id === 'anthropic' || cell.column.id === 'gemini') return true;
  return cell.column.api(cell.driver) === 'responses';
}

function sameDialect(cell: Cell): boolean {
  const api = cell.column.api(cell.driver);
  return (
    (cell.driver === openaiChatDriver && api === 'chat.completions') ||
    (cell.driver === openaiResponsesDriver && api === 'responses') ||
    (cell.driver === anthropicDriver && api === 'messages') ||
    (cell.driver === geminiDriver && api === 'generateContent')
  );
}
