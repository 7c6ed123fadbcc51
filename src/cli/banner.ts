import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { maskKey } from '../routing/credential.js';
import { VERSION } from '../version.js';

function readGeneratedKey(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, 'api_key'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The one start-up message: where to point each client, and what is behind the gateway. */
export function banner(config: Config, url: string): string {
  const clientHost = config.host === '0.0.0.0' || config.host === '::' ? url.replace(/\/\/[^:/]+|\/\/\[[^\]]+\]/, '//127.0.0.1') : url;
  const lines = [
    `Switchyard ${VERSION} listening on ${url}`,
    `  auth mode: ${config.effective_auth_mode}${config.auth_mode === 'auto' ? ' (auto)' : ''}` +
      (config.effective_auth_mode === 'off' ? ' — no key needed (loopback only)' : ''),
  ];
  if (config.effective_auth_mode !== 'off') {
    const key = config.api_keys[0];
    lines.push(
      config.generated_key
        ? `  API key (generated, saved in ${config.data_dir}/api_key): ${key}`
        : `  API keys: ${config.api_keys.map(maskKey).join(', ')}`,
    );
  }
  lines.push(`  config: ${config.config_file ?? '(none — defaults, env and flags)'}; data dir: ${config.data_dir}`);
  const adminPassword =
    config.admin_password_source === 'config'
      ? 'admin_password'
      : config.admin_password_source === 'env'
        ? 'SWITCHYARD_ADMIN_PASSWORD / WEB_PASSWORD'
        : config.admin_password_source === 'api_key'
          ? 'the API key'
          : `the key in ${config.data_dir}/api_key`;
  // With no password configured, the generated key is the console's password: shown here, so a new user
  // can log in without opening a file (the same terminal that shows a generated API key).
  const consolePassword = config.admin_password_source === undefined ? readGeneratedKey(config.data_dir) : undefined;
  lines.push(
    `  admin console: ${clientHost}/ in a browser (password: ${consolePassword ? `${consolePassword}, generated into ${config.data_dir}/api_key` : adminPassword})`,
  );
  lines.push(`  admin API: ${clientHost}/api (password: ${adminPassword}); metrics: ${clientHost}/metrics`);
  if (config.providers.length === 0) {
    lines.push('  providers: none configured — add some in the admin console, or under `providers:` in config.yaml (see README)');
  } else {
    lines.push('  providers:');
    for (const p of config.providers) {
      const models = p.models && p.models.length > 0 ? p.models.join(', ') : 'any model';
      lines.push(`    - ${p.name} (${p.type}${p.responses ? ', responses' : ''}, ${p.api_keys.length} key${p.api_keys.length === 1 ? '' : 's'}) ${p.base_url} → ${models}${p.enabled ? '' : ' [disabled]'}`);
    }
  }
  const mappings = Object.entries(config.model_mapping);
  if (mappings.length > 0) lines.push(`  model mapping: ${mappings.map(([k, v]) => `${k} → ${v}`).join(', ')}`);
  lines.push(
    '  base URLs for clients:',
    `    OpenAI SDKs, Codex, opencode, Kilo, Cherry Studio:  ${clientHost}/v1`,
    `    Anthropic SDKs, Claude Code (ANTHROPIC_BASE_URL):   ${clientHost}`,
    `    Gemini SDKs, Gemini CLI (GOOGLE_GEMINI_BASE_URL):   ${clientHost}`,
  );
  return lines.join('\n');
}
