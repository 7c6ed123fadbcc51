import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { wrapSignature } from '../../canonical/signature.js';
import type { CanonicalRequest, Part } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { packReasoning, toolCallCarrier } from './reasoning-signature.js';

const CLIENTS = join(import.meta.dirname, '../../../test/fixtures/clients');

type Body = Record<string, unknown>;

function codexBodies(file: string): Body[] {
  const capture = JSON.parse(readFileSync(join(CLIENTS, file), 'utf8')) as { requests: { body: Body }[] };
  return capture.requests.map((r) => r.body);
}

/**
 * The tool-roundtrip capture shortened its tool schemas to strings ("<trimmed 1360 chars; …>"). Both
 * captures come from the same Codex build, so the full definitions are taken from the other capture.
 */
function untrimmed(body: Body, full: Body): Body {
  const byName = new Map((full.tools as Body[]).map((t) => [t.name, t]));
  const trimmed = (t: Body): boolean => Object.values(t).some((v) => typeof v === 'string' && v.startsWith('<trimmed'));
  return { ...body, tools: (body.tools as Body[]).map((t) => (trimmed(t) ? (byName.get(t.name) ?? t) : t)) };
}

const decode = (body: unknown): CanonicalRequest => decodeRequest(body, {});

function rejects(body: unknown): string {
  try {
    decode(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).kind).toBe('invalid_request');
    return (err as GatewayError).message;
  }
  throw new Error('expected decodeRequest to throw');
}

describe('decodeRequest: real Codex CLI requests', () => {
  const [first] = codexBodies('codex-exec-responses.json');
  const second = untrimmed(codexBodies('codex-exec-tool-roundtrip.json')[1], first);

  it('turns the leading developer messages into the system prompt (Codex sends no instructions)', () => {
    const req = decode(first);
    expect(req.model).toBe('gpt-5-codex');
    expect(req.system.map((p) => p.text.slice(0, 24))).toEqual([
      'You are a coding agent r',
      '<skills_instructions>\n##',
      '<permissions instruction',
    ]);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'user']);
    expect(req.messages[1].parts).toEqual([{ type: 'text', text: 'say hi' }]);
  });

  it('reads settings, keeps Codex-only fields in extras and the cache key as user', () => {
    const req = decode(first);
    expect(req.stream).toBe(true);
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.parallelToolCalls).toBe(true);
    // reasoning: {summary:'auto'} without an effort
    expect(req.reasoning).toEqual({ enabled: true, includeThoughts: true });
    expect(req.user).toBe(first.prompt_cache_key);
    const extras = req.extras['openai-responses'];
    expect(extras).toMatchObject({ store: false, include: ['reasoning.encrypted_content'], prompt_cache_key: first.prompt_cache_key });
    expect(extras?.client_metadata).toEqual(first.client_metadata);
  });

  it('flattens namespace tools into one function each and drops web_search', () => {
    const req = decode(first);
    const names = req.tools.map((t) => t.name);
    expect(names).toEqual([
      'exec_command',
      'write_stdin',
      'request_user_input',
      'view_image',
      'multi_agent_v1__close_agent',
      'multi_agent_v1__resume_agent',
      'multi_agent_v1__send_input',
      'multi_agent_v1__spawn_agent',
      'multi_agent_v1__wait_agent',
      'get_goal',
      'create_goal',
      'update_goal',
    ]);
    const close = req.tools.find((t) => t.name === 'multi_agent_v1__close_agent');
    expect(close?.strict).toBe(false);
    expect(close?.parameters).toMatchObject({ type: 'object', required: ['target'] });
  });

  it('decodes the tool round trip: function_call + function_call_output', () => {
    const req = decode(second);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'user', 'assistant', 'user']);
    expect(req.messages[2].parts).toEqual([
      { type: 'tool_call', id: 'call_705d93dff72d83f9', name: 'exec_command', arguments: { cmd: 'echo stub-tool-ok' } },
    ]);
    const result = req.messages[3].parts[0];
    expect(result).toMatchObject({ type: 'tool_result', callId: 'call_705d93dff72d83f9', name: 'exec_command' });
    expect(result.type === 'tool_result' && result.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('stub-tool-ok') });
  });

  it('offers the same tools on every turn', () => {
    expect(decode(second).tools).toEqual(decode(first).tools);
  });

  it('translates the 40 KB Codex request well under a millisecond', () => {
    for (let i = 0; i < 50; i++) decode(first);
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) decode(first);
    expect((performance.now() - t0) / n).toBeLessThan(1);
  });
});

describe('decodeRequest: input items', () => {
  it('accepts a plain string input and instructions', () => {
    const req = decode({ model: 'm', instructions: 'Be brief.', input: 'Hello' });
    expect(req.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(req.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: 'Hello' }] }]);
    expect(req.stream).toBe(false);
    expect(req.extras).toEqual({});
  });

  it('keeps a later developer/system message in place as role system', () => {
    const req = decode({
      model: 'm',
      input: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'mid' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] },
      ],
    });
    expect(req.system).toEqual([{ type: 'text', text: 'sys' }]);
    expect(req.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'system', parts: [{ type: 'text', text: 'mid' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'ok' }] },
    ]);
  });

  it('decodes images and files: data URL, URL, file id', () => {
    const req = decode({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/a.jpg', detail: 'auto' },
            { type: 'input_image', file_id: 'file-123', detail: 'low' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
            { type: 'input_file', file_id: 'file-9' },
          ],
        },
      ],
    });
    expect(req.messages[0].parts).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'high' },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.jpg' }, detail: 'auto' },
      { type: 'image', source: { kind: 'file', fileId: 'file-123' }, detail: 'low' },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
      { type: 'document', source: { kind: 'file', fileId: 'file-9' } },
    ]);
  });

  it('groups assistant items into one turn and tool outputs into the next user turn', () => {
    const req = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'weather in Rome and Paris?' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Two calls.' }], encrypted_content: 'gAAAA1' },
        { type: 'function_call', call_id: 'c1', name: 'weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call', call_id: 'c2', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'c1', output: '20C' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: '18C' }] },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(req.messages.map((m) => [m.role, m.parts.map((p) => p.type)])).toEqual([
      ['user', ['text']],
      ['assistant', ['thinking', 'tool_call', 'tool_call']],
      ['user', ['tool_result', 'tool_result', 'text']],
    ]);
    expect(req.messages[1].parts[0]).toEqual({
      type: 'thinking',
      text: 'Two calls.',
      signature: { origin: 'openai-responses', value: packReasoning('rs_1', 'gAAAA1') },
    });
    expect(req.messages[2].parts[1]).toEqual({ type: 'tool_result', callId: 'c2', name: 'weather', content: [{ type: 'text', text: '18C' }] });
  });

  it('reads reasoning signatures: native, already packed, foreign-wrapped, redacted', () => {
    const packed = packReasoning('rs_up', 'ENC');
    const foreign = wrapSignature({ origin: 'anthropic', value: 'EqQBCkYI' }, 'openai-responses');
    const req = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        // our own stream item id must not replace the upstream id packed inside
        { type: 'reasoning', id: 'rs_local', summary: [], encrypted_content: packed },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'thought' }], encrypted_content: foreign },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'no signature' }] },
        { type: 'reasoning', summary: [] },
        { role: 'assistant', content: 'a' },
      ],
    });
    const parts = req.messages[1].parts;
    expect(parts).toEqual([
      { type: 'thinking', text: '', redacted: true, signature: { origin: 'openai-responses', value: packed } },
      { type: 'thinking', text: 'thought', signature: { origin: 'anthropic', value: 'EqQBCkYI' } },
      { type: 'thinking', text: 'no signature' },
      { type: 'text', text: 'a' },
    ]);
  });

  it('re-attaches a function-call signature carried in a reasoning item', () => {
    const sig = { origin: 'gemini' as const, value: 'CiQB0e2Kb' };
    const req = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'reasoning', summary: [], encrypted_content: toolCallCarrier('c1', sig) },
        { type: 'function_call_output', call_id: 'c1', output: 'x' },
      ],
    });
    expect(req.messages[1].parts).toEqual([{ type: 'tool_call', id: 'c1', name: 'f', arguments: {}, signature: sig }]);
  });

  it('flattens a namespaced function_call the way the tool was flattened', () => {
    const req = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'function_call', call_id: 'c1', namespace: 'multi_agent_v1', name: 'spawn_agent', arguments: '{"task":"x"}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
    });
    expect(req.messages[1].parts[0]).toMatchObject({ name: 'multi_agent_v1__spawn_agent', arguments: { task: 'x' } });
    expect(req.messages[2].parts[0]).toMatchObject({ name: 'multi_agent_v1__spawn_agent' });
  });

  it('reads the {content, success:false} output of early Codex builds as an error result', () => {
    const req = decode({ model: 'm', input: [{ type: 'function_call_output', call_id: 'c', output: { content: 'exit 1', success: false } }] });
    expect(req.messages[0].parts[0]).toEqual({ type: 'tool_result', callId: 'c', content: [{ type: 'text', text: 'exit 1' }], isError: true });
  });

  it('keeps arguments that are not JSON as the raw string', () => {
    const req = decode({ model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{"a":' }] });
    expect((req.messages[0].parts[0] as Part & { arguments: unknown }).arguments).toBe('{"a":');
  });

  it('drops items of tools that have no canonical form', () => {
    const req = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'custom_tool_call', call_id: 'x', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'x', output: 'done' },
        { type: 'local_shell_call', call_id: 'y', status: 'completed', action: { type: 'exec', command: ['ls'] } },
        { type: 'web_search_call', id: 'ws', status: 'completed', action: { type: 'search', query: 'q' } },
      ],
    });
    expect(req.messages).toHaveLength(1);
  });

  it('rejects what needs server-side state, naming the way out', () => {
    expect(rejects({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] })).toMatch(/input\[0\] is an item_reference.*store: false/);
    expect(rejects({ model: 'm', input: 'x', previous_response_id: 'resp_1' })).toMatch(/previous_response_id.*whole conversation/);
    expect(rejects({ model: 'm', input: 'x', conversation: 'conv_1' })).toMatch(/conversation is not supported/);
  });

  it('names the field in validation errors', () => {
    expect(rejects(null)).toMatch(/JSON object/);
    expect(rejects({ input: 'x' })).toMatch(/^model is required/);
    expect(rejects({ model: 'm' })).toMatch(/^input is required/);
    expect(rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_audio' }] }] })).toBe(
      'input[0].content[0].type must be one of input_text, input_image, input_file, output_text, refusal.',
    );
    expect(rejects({ model: 'm', input: [{ role: 'robot', content: 'x' }] })).toMatch(/^input\[0\]\.role must be one of/);
    expect(rejects({ model: 'm', input: [{ type: 'function_call', name: 'f' }] })).toMatch(/^input\[0\]\.call_id is required/);
    expect(rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image' }] }] })).toMatch(/^input\[0\]\.content\[0\] needs image_url/);
    expect(rejects({ model: 'm', input: 'x', tools: [{ type: 'function' }] })).toMatch(/^tools\[0\]\.name is required/);
    expect(rejects({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f', parameters: '<trimmed>' }] })).toBe(
      'tools[0].parameters must be a JSON Schema object.',
    );
    expect(rejects({ model: 'm', input: 'x', tools: [{ type: 'namespace', name: 'ns', tools: 'x' }] })).toBe('tools[0].tools must be an array.');
    expect(rejects({ model: 'm', input: 'x', temperature: 'hot' })).toBe('temperature must be a number.');
    expect(rejects({ model: 'm', input: 'x', reasoning: { effort: 'huge' } })).toMatch(/^reasoning\.effort must be one of/);
    expect(rejects({ model: 'm', input: 'x', text: { format: { type: 'yaml' } } })).toMatch(/^text\.format\.type must be one of/);
  });

  it('ignores unknown extra fields', () => {
    const req = decode({ model: 'm', input: [{ role: 'user', content: 'x', phase: 'final', novel: 1 }], brand_new_option: true });
    expect(req.messages).toHaveLength(1);
  });
});

describe('decodeRequest: settings', () => {
  it('maps tool_choice forms', () => {
    const choice = (tool_choice: unknown): unknown => decode({ model: 'm', input: 'x', tool_choice }).toolChoice;
    expect(choice('none')).toEqual({ type: 'none' });
    expect(choice('required')).toEqual({ type: 'required' });
    expect(choice({ type: 'function', name: 'f' })).toEqual({ type: 'tool', name: 'f' });
    expect(choice({ type: 'allowed_tools', mode: 'required', tools: [] })).toEqual({ type: 'required' });
    expect(choice({ type: 'web_search_preview' })).toEqual({ type: 'auto' });
  });

  it('maps reasoning effort and summaries', () => {
    const reasoning = (r: unknown): unknown => decode({ model: 'm', input: 'x', reasoning: r }).reasoning;
    expect(reasoning({ effort: 'high', summary: 'detailed' })).toEqual({ enabled: true, effort: 'high', includeThoughts: true });
    expect(reasoning({ effort: 'none' })).toEqual({ enabled: false, effort: 'none', includeThoughts: false });
    expect(reasoning({ effort: 'max', summary: null })).toEqual({ enabled: true, effort: 'xhigh', includeThoughts: false });
    expect(reasoning(null)).toBeUndefined();
  });

  it('maps text.format and numeric settings', () => {
    const req = decode({
      model: 'm',
      input: 'x',
      max_output_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      safety_identifier: 'user-1',
      metadata: { a: 'b' },
    });
    expect(req.responseFormat).toEqual({ type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true });
    expect(req).toMatchObject({ maxTokens: 500, temperature: 0.2, topP: 0.9, user: 'user-1' });
    expect(req.extras['openai-responses']).toEqual({ safety_identifier: 'user-1', metadata: { a: 'b' }, verbosity: 'low' });
    expect(decode({ model: 'm', input: 'x', text: { format: { type: 'json_object' } } }).responseFormat).toEqual({ type: 'json' });
  });
});
