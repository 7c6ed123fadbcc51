import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-config-'));
}

function withFile(text: string, name = 'config.yaml'): string {
  const d = dir();
  writeFileSync(join(d, name), text);
  return d;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts on the embedded defaults with no file at all', () => {
    const c = loadConfig({ dataDir: dir() }, {});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8045, auth_mode: 'auto', effective_auth_mode: 'off', max_body_size: 100 * 1024 * 1024 });
    expect(c.providers).toEqual([]);
  });

  it('reads <data-dir>/config.yaml, then env overrides it, then flags override env', () => {
    const d = withFile('port: 9001\nhost: 127.0.0.2\nmax_body_size: 2mb\n');
    expect(loadConfig({ dataDir: d }, {}).port).toBe(9001);
    expect(loadConfig({ dataDir: d }, {}).max_body_size).toBe(2 * 1024 * 1024);
    expect(loadConfig({ dataDir: d }, { SWITCHYARD_PORT: '9002', ABV_MAX_BODY_SIZE: '1kb' })).toMatchObject({ port: 9002, max_body_size: 1024 });
    expect(loadConfig({ dataDir: d, port: '9003', host: '127.0.0.3' }, { SWITCHYARD_PORT: '9002' })).toMatchObject({ port: 9003, host: '127.0.0.3' });
  });

  it('accepts JSON config files', () => {
    const d = withFile('{"port": 9100, "api_key": "sk-json"}', 'config.json');
    expect(loadConfig({ dataDir: d }, {})).toMatchObject({ port: 9100, api_keys: ['sk-json'] });
  });

  it('takes the client key from SWITCHYARD_API_KEY or API_KEY', () => {
    expect(loadConfig({ dataDir: dir() }, { API_KEY: 'sk-a' }).api_keys).toEqual(['sk-a']);
    expect(loadConfig({ dataDir: dir() }, { SWITCHYARD_API_KEY: 'sk-b', API_KEY: 'sk-a' }).api_keys).toEqual(['sk-b']);
  });

  it('names the bad key and why, without a stack trace', () => {
    const d = withFile('providers:\n  - name: x\n    type: openia\n    api_keys: [k]\nauth_mode: sometimes\nprot: 1\n');
    const msg = errorOf(() => loadConfig({ dataDir: d }, {}));
    expect(msg).toContain('providers[0].type: must be one of openai, anthropic, gemini');
    expect(msg).toContain('auth_mode: must be one of off, strict, all_except_health, auto');
    expect(msg).toContain('unknown key "prot"');
    expect(msg).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('says a provider needs keys, and that sizes need units it knows', () => {
    expect(errorOf(() => loadConfig({ dataDir: withFile('providers:\n  - {name: a, type: openai}\n') }, {}))).toContain('providers[0].api_keys: needs api_keys');
    expect(errorOf(() => loadConfig({ dataDir: withFile('max_body_size: lots\n') }, {}))).toContain('max_body_size: "lots" is not a size');
  });

  it('says when the file is not YAML or is missing', () => {
    expect(errorOf(() => loadConfig({ dataDir: withFile('port: [1,\n') }, {}))).toContain('not valid YAML/JSON');
    expect(errorOf(() => loadConfig({ config: '/nonexistent/switchyard.yaml' }, {}))).toContain('config file not found');
  });

  it('tolerates the usual base_url slips', () => {
    const d = withFile(`providers:
  - {name: o1, type: openai, api_keys: [k], base_url: "https://api.openai.com"}
  - {name: o2, type: openai, api_keys: [k], base_url: "https://api.openai.com/v1/"}
  - {name: o3, type: openai, api_keys: [k], base_url: "https://api.openai.com/v1/chat/completions"}
  - {name: o4, type: openai, api_keys: [k], base_url: "https://openrouter.ai/api/v1"}
  - {name: a1, type: anthropic, api_keys: [k], base_url: "https://api.anthropic.com/v1"}
  - {name: a2, type: anthropic, api_keys: [k], base_url: "https://api.anthropic.com/"}
  - {name: g1, type: gemini, api_keys: [k], base_url: "https://generativelanguage.googleapis.com/v1beta"}
  - {name: g2, type: gemini, api_keys: [k]}
`);
    const urls = loadConfig({ dataDir: d }, {}).providers.map((p) => p.base_url);
    expect(urls).toEqual([
      'https://api.openai.com/v1',
      'https://api.openai.com/v1',
      'https://api.openai.com/v1',
      'https://openrouter.ai/api/v1',
      'https://api.anthropic.com',
      'https://api.anthropic.com',
      'https://generativelanguage.googleapis.com',
      'https://generativelanguage.googleapis.com',
    ]);
  });

  it('auth_mode auto is off on loopback and all_except_health once the LAN can connect', () => {
    expect(loadConfig({ dataDir: dir() }, {}).effective_auth_mode).toBe('off');
    const lan = loadConfig({ dataDir: withFile('allow_lan_access: true\n') }, {});
    expect(lan).toMatchObject({ host: '0.0.0.0', effective_auth_mode: 'all_except_health' });
    expect(loadConfig({ dataDir: dir(), host: '0.0.0.0' }, {}).effective_auth_mode).toBe('all_except_health');
  });

  it('generates a key when auth is required and none is set, persists it 0600, and reuses it', () => {
    const d = withFile('auth_mode: strict\n');
    const first = loadConfig({ dataDir: d }, {});
    expect(first.generated_key).toBe(true);
    expect(first.api_keys[0]).toMatch(/^sk-sy-/);
    expect(readFileSync(join(d, 'api_key'), 'utf8').trim()).toBe(first.api_keys[0]);
    expect(statSync(join(d, 'api_key')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ dataDir: d }, {}).api_keys[0]).toBe(first.api_keys[0]);
  });
});
