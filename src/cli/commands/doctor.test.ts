import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../../../test/helpers/gateway.js';
import { startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../../../test/upstreams/index.js';
import { diagnose, runDoctor } from './doctor.js';
import type { CommandIo } from './setup.js';

let ups: Upstream[];
let gw: RunningGateway;
let open: RunningGateway;
const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-doctor-'));

beforeAll(async () => {
  const o = await startOpenAIUpstream({ models: ['gpt-4o', 'text-embedding-3-small'] });
  const g = await startGeminiUpstream({ models: ['gemini-2.5-flash'], keys: ['good'] });
  ups = [o, g];
  gw = await startGateway({
    auth_mode: 'all_except_health',
    api_keys: ['sk-doctor-key-1'],
    providers: [
      { name: 'oa', type: 'openai', base_url: `${o.url}/v1`, api_keys: ['k'], models: ['gpt-*'] },
      // a provider whose key the upstream refuses: its tiny request fails
      { name: 'ge', type: 'gemini', base_url: g.url, api_keys: ['bad'], models: ['gemini-2.5-flash'] },
    ],
    model_mapping: { fast: 'gpt-4o' },
  });
  open = await startGateway({ providers: [{ name: 'oa', type: 'openai', base_url: `${o.url}/v1`, api_keys: ['k'] }] });
});
afterAll(async () => {
  await gw.close();
  await open.close();
  await Promise.all(ups.map((u) => u.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

function io(env: Record<string, string> = {}): CommandIo & { out: string; err: string } {
  const r = { env, out: '', err: '', stdout: (t: string) => void (r.out += t), stderr: (t: string) => void (r.err += t) };
  return r;
}

describe('switchyard doctor', () => {
  it('checks reachability, health, auth, the three model lists and one request per provider', async () => {
    const { checks, ok } = await diagnose({ baseUrl: gw.url, keys: ['sk-wrong', 'sk-doctor-key-1'], timeoutMs: 10_000, requests: true });
    const by = Object.fromEntries(checks.map((c) => [c.label, c]));
    expect(by.reachable.ok).toBe(true);
    expect(by['/healthz']).toMatchObject({ ok: true, detail: expect.stringMatching(/^ok, Switchyard \d/) });
    expect(by.auth).toMatchObject({ ok: true, detail: 'on — key sk-d…ey-1 accepted' });
    expect(by['OpenAI models'].detail).toMatch(/gpt-4o/);
    expect(by['Anthropic models'].ok).toBe(true);
    expect(by['Gemini models'].detail).toMatch(/gemini-2\.5-flash/);
    expect(by['provider oa']).toMatchObject({ ok: true, detail: expect.stringMatching(/^gpt-4o answered in \d+ ms$/) });
    expect(by['provider ge'].ok).toBe(false);
    expect(by['provider ge'].advice).toMatch(/check ge's/);
    expect(ok).toBe(false);
  });

  it('prints a checklist and exits 0 when everything works; predicts client paths from the typed base URL', async () => {
    const r = io();
    const code = await runDoctor([`${open.url}/v1`, '--data-dir', dataDir], r);
    expect(r.out).toContain('✓ auth');
    expect(r.out).toContain('off — any key (or none) is accepted');
    expect(r.out).toMatch(/✓ provider oa +gpt-4o answered/);
    expect(r.out).toMatch(/✓ OpenAI SDKs, Codex, opencode, Kilo +POST \/v1\/chat\/completions, POST \/v1\/responses, GET \/v1\/models \(served as sent\)/);
    expect(r.out).toMatch(/✓ Claude Code, Anthropic SDKs +POST \/v1\/v1\/messages → \/v1\/messages/);
    expect(r.out).toContain(`→ works (Switchyard rewrites the path), but better: set ANTHROPIC_BASE_URL / baseURL to ${open.url}`);
    expect(code).toBe(0);
  });

  it('says how to fix a refused key', async () => {
    const r = io();
    expect(await runDoctor([gw.url, '--key', 'sk-nope-nope-nope', '--data-dir', dataDir], r)).toBe(1);
    expect(r.out).toMatch(/✗ auth +on — sk-n…nope refused/);
    expect(r.out).toContain('→ pass the key from the banner with --key');
  });

  it('says when nothing listens, and still predicts the paths', async () => {
    const r = io();
    expect(await runDoctor(['http://127.0.0.1:9/v1beta', '--data-dir', dataDir, '--timeout', '3'], r)).toBe(1);
    expect(r.out).toMatch(/✗ reachable +nothing answered at http:\/\/127\.0\.0\.1:9/);
    expect(r.out).toContain('→ start the gateway');
    expect(r.out).toMatch(/✓ Gemini CLI, @google\/genai 2\.x +POST \/v1beta\/v1beta\/models\/gemini-2\.5-flash:streamGenerateContent → \/v1beta\/models/);
  });

  it('flags a base URL no client family can use, with the fix', async () => {
    const r = io();
    await runDoctor([`${open.url}/some/proxy/v1`, '--no-requests', '--data-dir', dataDir], r);
    expect(r.out).toMatch(/✗ OpenAI SDKs, Codex, opencode, Kilo .*segments Switchyard does not know/);
    expect(r.out).toContain(`→ set OPENAI_BASE_URL / baseURL / base_url to ${open.url}/v1`);
  });
});
