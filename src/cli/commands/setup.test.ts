import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../test/helpers/gateway.js';
import { startAnthropicUpstream, startOpenAIUpstream, type Upstream } from '../../../test/upstreams/index.js';
import { chooseModels } from './client-models.js';
import { gatewayOrigin, runSetup, type CommandIo } from './setup.js';

function io(env: Record<string, string>): CommandIo & { out: string; err: string } {
  const r = {
    env,
    out: '',
    err: '',
    stdout: (t: string) => void (r.out += t),
    stderr: (t: string) => void (r.err += t),
  };
  return r;
}

const homes: string[] = [];
function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'switchyard-setup-home-'));
  homes.push(h);
  return h;
}

/** A data dir with no config, so the user's own ~/.switchyard never leaks into a test. */
const emptyData = () => ['--data-dir', home()];

let ups: Upstream[];
let gw: RunningGateway;
beforeAll(async () => {
  const o = await startOpenAIUpstream({ models: ['gpt-5-codex', 'gpt-5-mini', 'text-embedding-3-small'] });
  const a = await startAnthropicUpstream({ models: ['claude-sonnet-4-5', 'claude-haiku-4-5'] });
  ups = [o, a];
  gw = await startGateway({
    auth_mode: 'strict',
    api_keys: ['sk-gw-test'],
    providers: [
      { name: 'oa', type: 'openai', base_url: `${o.url}/v1`, api_keys: ['k'], models: ['gpt-*'] },
      { name: 'an', type: 'anthropic', base_url: a.url, api_keys: ['k'], models: ['claude-*'] },
    ],
  });
});
afterAll(async () => {
  await gw.close();
  await Promise.all(ups.map((u) => u.close()));
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('choosing models', () => {
  it("prefers the client's own family, else the best of any", () => {
    const served = ['gpt-5-codex', 'gpt-5-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-pro', 'gemini-2.5-flash', 'text-embedding-3-small'];
    expect(chooseModels(served, 'anthropic')).toEqual({ main: 'claude-sonnet-4-5', small: 'claude-haiku-4-5' });
    expect(chooseModels(served, 'openai')).toEqual({ main: 'gpt-5-codex', small: 'gpt-5-mini' });
    expect(chooseModels(served, 'gemini')).toEqual({ main: 'gemini-2.5-pro', small: 'gemini-2.5-flash' });
    expect(chooseModels(['gpt-4o', 'gpt-4o-mini'], 'anthropic')).toEqual({ main: 'gpt-4o', small: 'gpt-4o-mini' });
    expect(chooseModels(['text-embedding-3-small'], 'openai')).toBeUndefined();
  });

  it('takes the origin from what users type', () => {
    expect(gatewayOrigin('http://127.0.0.1:8045/v1/')).toBe('http://127.0.0.1:8045');
    expect(gatewayOrigin('http://127.0.0.1:8045/v1/chat/completions')).toBe('http://127.0.0.1:8045');
    expect(gatewayOrigin('https://gw.example/switchyard/v1beta')).toBe('https://gw.example/switchyard');
  });
});

describe('switchyard setup', () => {
  it('prints the environment, the config and the models the running gateway serves', async () => {
    const h = home();
    const r = io({ HOME: h });
    expect(await runSetup(['claude-code', '--url', gw.url, '--key', 'sk-gw-test', ...emptyData()], r)).toBe(0);
    expect(r.out).toContain(`export ANTHROPIC_BASE_URL=${gw.url}\n`);
    expect(r.out).toContain('export ANTHROPIC_AUTH_TOKEN=sk-gw-test');
    expect(r.out).toContain('export ANTHROPIC_MODEL=claude-sonnet-4-5');
    expect(r.out).toContain('export ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-haiku-4-5');
    expect(r.out).toMatch(/models from the running gateway/);
    expect(existsSync(join(h, '.claude'))).toBe(false); // printing writes nothing
  });

  it('finds the gateway and its key from the config, as serve does', async () => {
    const r = io({ HOME: home() });
    expect(await runSetup(['codex', '--config', join(gw.dataDir, 'config.yaml'), '--port', String(new URL(gw.url).port)], r)).toBe(0);
    expect(r.out).toContain(`base_url = "${gw.url}/v1"`);
    expect(r.out).toContain('wire_api = "responses"');
    expect(r.out).toContain('model = "gpt-5-codex"');
    expect(r.out).toContain('export SWITCHYARD_API_KEY=sk-gw-test');
  });

  it('falls back to the literal model names of the config when no gateway answers', async () => {
    const d = home();
    writeFileSync(join(d, 'config.yaml'), 'providers:\n  - {name: g, type: gemini, api_keys: [k], models: [gemini-2.5-pro, "gemini-*"]}\n');
    const r = io({ HOME: home() });
    expect(await runSetup(['gemini-cli', '--url', 'http://127.0.0.1:9', '--data-dir', d], r)).toBe(0);
    expect(r.out).toContain('models from the config file');
    expect(r.out).toContain('"name": "gemini-2.5-pro"');
    expect(r.out).toContain('"selectedType": "gemini-api-key"');
  });

  it('--write merges into the Codex config, keeps a backup, and --restore puts it back', async () => {
    const h = home();
    const file = join(h, '.codex', 'config.toml');
    mkdirSync(join(h, '.codex'));
    const original = 'model = "o3"\napproval_policy = "never"\n\n[mcp_servers.docs]\ncommand = "docs"\n';
    writeFileSync(file, original);
    const r = io({ HOME: h });
    expect(await runSetup(['codex', '--url', gw.url, '--key', 'sk-gw-test', '--write', ...emptyData()], r)).toBe(0);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('approval_policy = "never"');
    expect(written).toContain('[mcp_servers.docs]');
    expect(written).toContain('model_provider = "switchyard"');
    expect(written).toContain(`[model_providers.switchyard]\nname = "Switchyard"\nbase_url = "${gw.url}/v1"\nenv_key = "SWITCHYARD_API_KEY"\nwire_api = "responses"`);
    expect(readFileSync(`${file}.switchyard-backup`, 'utf8')).toBe(original);
    expect(r.out).toContain('export SWITCHYARD_API_KEY=sk-gw-test');

    // a second --write keeps the first backup (the original), and changes nothing
    const again = io({ HOME: h });
    await runSetup(['codex', '--url', gw.url, '--key', 'sk-gw-test', '--write', ...emptyData()], again);
    expect(again.out).toContain('unchanged');
    expect(readFileSync(`${file}.switchyard-backup`, 'utf8')).toBe(original);

    const restore = io({ HOME: h });
    expect(await runSetup(['codex', '--restore', ...emptyData()], restore)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(existsSync(`${file}.switchyard-backup`)).toBe(false);
  });

  it('honours CODEX_HOME and XDG_CONFIG_HOME, and --restore removes a file it created', async () => {
    const h = home();
    const codexHome = join(h, 'codex-home');
    const r = io({ HOME: h, CODEX_HOME: codexHome, XDG_CONFIG_HOME: join(h, 'xdg') });
    await runSetup(['codex', '--url', gw.url, '--write', '--model', 'gpt-5-codex', ...emptyData()], r);
    expect(existsSync(join(codexHome, 'config.toml'))).toBe(true);
    await runSetup(['opencode', '--url', gw.url, '--write', '--model', 'gpt-5-codex', ...emptyData()], r);
    const oc = join(h, 'xdg', 'opencode', 'opencode.json');
    expect(JSON.parse(readFileSync(oc, 'utf8'))).toMatchObject({ model: 'switchyard/gpt-5-codex' });
    await runSetup(['opencode', '--restore', ...emptyData()], r);
    expect(existsSync(oc)).toBe(false);
  });

  it('keeps the other settings of Claude Code, Gemini CLI, opencode and Kilo', async () => {
    const h = home();
    const files = {
      claude: join(h, '.claude', 'settings.json'),
      gemini: join(h, '.gemini', 'settings.json'),
      geminiEnv: join(h, '.gemini', '.env'),
      opencode: join(h, '.config', 'opencode', 'opencode.json'),
      kilo: join(h, '.config', 'kilo', 'kilo.json'),
    };
    for (const f of Object.values(files)) mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(files.claude, JSON.stringify({ theme: 'dark', env: { FOO: 'bar' }, permissions: { allow: ['Bash(ls:*)'] } }));
    writeFileSync(files.gemini, '{\n  // mine\n  "ui": {"theme": "GitHub"},\n  "security": {"folderTrust": {"enabled": true}},\n}\n');
    writeFileSync(files.geminiEnv, 'OTHER=1\n');
    writeFileSync(files.opencode, JSON.stringify({ provider: { anthropic: { options: { apiKey: 'x' } } }, theme: 'tokyonight' }));
    writeFileSync(files.kilo, JSON.stringify({ permission: { bash: 'ask' } }));
    const r = io({ HOME: h });
    for (const c of ['claude-code', 'gemini-cli', 'opencode', 'kilo']) {
      expect(await runSetup([c, '--url', gw.url, '--key', 'sk-gw-test', '--write', ...emptyData()], r)).toBe(0);
    }
    const claude = JSON.parse(readFileSync(files.claude, 'utf8'));
    expect(claude).toMatchObject({ theme: 'dark', permissions: { allow: ['Bash(ls:*)'] }, env: { FOO: 'bar', ANTHROPIC_BASE_URL: gw.url, ANTHROPIC_AUTH_TOKEN: 'sk-gw-test' } });
    const gemini = JSON.parse(readFileSync(files.gemini, 'utf8'));
    expect(gemini).toMatchObject({ ui: { theme: 'GitHub' }, security: { folderTrust: { enabled: true }, auth: { selectedType: 'gemini-api-key' } } });
    expect(readFileSync(files.geminiEnv, 'utf8')).toBe(`OTHER=1\nGOOGLE_GEMINI_BASE_URL=${gw.url}\nGEMINI_API_KEY=sk-gw-test\n`);
    const opencode = JSON.parse(readFileSync(files.opencode, 'utf8'));
    expect(opencode.theme).toBe('tokyonight');
    expect(opencode.provider.anthropic).toEqual({ options: { apiKey: 'x' } });
    expect(opencode.provider.switchyard).toMatchObject({ npm: '@ai-sdk/openai-compatible', options: { baseURL: `${gw.url}/v1`, apiKey: 'sk-gw-test' } });
    expect(Object.keys(opencode.provider.switchyard.models)).toEqual(expect.arrayContaining(['gpt-5-codex', 'claude-sonnet-4-5']));
    expect(JSON.parse(readFileSync(files.kilo, 'utf8'))).toMatchObject({ permission: { bash: 'ask' }, model: 'switchyard/gpt-5-codex' });
  });

  it('refuses to write over a config file it cannot parse', async () => {
    const h = home();
    mkdirSync(join(h, '.claude'));
    writeFileSync(join(h, '.claude', 'settings.json'), '{ broken');
    const r = io({ HOME: h });
    expect(await runSetup(['claude-code', '--url', gw.url, '--write', ...emptyData()], r)).toBe(1);
    expect(r.err).toMatch(/settings.json is not valid JSON/);
    expect(readFileSync(join(h, '.claude', 'settings.json'), 'utf8')).toBe('{ broken');
  });

  it('prints SDK snippets, and says what it needs', async () => {
    const r = io({ HOME: home() });
    expect(await runSetup(['openai-sdk', '--url', gw.url, '--key', 'sk-gw-test', ...emptyData()], r)).toBe(0);
    expect(r.out).toContain(`export OPENAI_BASE_URL=${gw.url}/v1`);
    expect(r.out).toContain("model: 'gpt-5-codex'");
    const bad = io({ HOME: home() });
    expect(await runSetup(['cursor'], bad)).toBe(2);
    expect(bad.err).toContain('unknown client');
  });
});
