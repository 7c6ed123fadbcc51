import { describe, expect, it } from 'vitest';
import { wrapSignature } from '../canonical/signature.js';
import { toolCallCarrier } from '../dialects/openai-responses/reasoning-signature.js';
import { carriesForeignHistory } from './foreign-history.js';

const fromGemini = (client: Parameters<typeof wrapSignature>[1]) => wrapSignature({ origin: 'gemini', value: 'sig-g' }, client);
const fromAnthropic = (client: Parameters<typeof wrapSignature>[1]) => wrapSignature({ origin: 'anthropic', value: 'sig-a' }, client);

describe('carriesForeignHistory', () => {
  const assistant = (content: unknown[]) => ({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content }] });

  it('Anthropic: own signatures relay; wrapped, empty or missing signatures do not', () => {
    expect(carriesForeignHistory('anthropic', assistant([{ type: 'thinking', thinking: 't', signature: 'EqQB…' }, { type: 'redacted_thinking', data: 'abc' }]))).toBe(false);
    expect(carriesForeignHistory('anthropic', assistant([{ type: 'thinking', thinking: '', signature: fromGemini('anthropic') }]))).toBe(true);
    expect(carriesForeignHistory('anthropic', assistant([{ type: 'thinking', thinking: 'from deepseek', signature: '' }]))).toBe(true);
    expect(carriesForeignHistory('anthropic', assistant([{ type: 'redacted_thinking', data: fromGemini('anthropic') }]))).toBe(true);
    expect(carriesForeignHistory('anthropic', assistant([{ type: 'text', text: 'sy1.g.not-a-signature' }]))).toBe(false);
  });

  it('Gemini: own and skip signatures relay; wrapped ones do not', () => {
    const body = (sig: string) => ({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: sig }] }] });
    expect(carriesForeignHistory('gemini', body('CiMBjz1r…'))).toBe(false);
    expect(carriesForeignHistory('gemini', body('skip_thought_signature_validator'))).toBe(false);
    expect(carriesForeignHistory('gemini', body(fromAnthropic('gemini')))).toBe(true);
    expect(carriesForeignHistory('gemini', { contents: [{ role: 'model', parts: [{ text: 'x', thought_signature: fromAnthropic('gemini') }] }] })).toBe(true);
  });

  it('Responses: own encrypted reasoning relays; wrapped, call carriers and unstored id-only items do not', () => {
    const body = (item: Record<string, unknown>, store = false) => ({ store, input: [{ role: 'user', content: 'hi' }, { type: 'reasoning', id: 'rs_1', summary: [], ...item }] });
    expect(carriesForeignHistory('openai-responses', body({ encrypted_content: 'gAAAAB…' }))).toBe(false);
    expect(carriesForeignHistory('openai-responses', body({ encrypted_content: fromAnthropic('openai-responses') }))).toBe(true);
    expect(carriesForeignHistory('openai-responses', body({ encrypted_content: toolCallCarrier('call_1', { origin: 'gemini', value: 'sig-g' }) }))).toBe(true);
    expect(carriesForeignHistory('openai-responses', body({}))).toBe(true);
    expect(carriesForeignHistory('openai-responses', body({}, true))).toBe(false); // a stored item the API knows
  });

  it('chat has nothing signed', () => {
    expect(carriesForeignHistory('openai-chat', { messages: [{ role: 'assistant', content: 'x', reasoning_content: 'y' }] })).toBe(false);
  });
});
