// The five agent CLIs: how each is run non-interactively, its quiet/telemetry switches, the settings the
// suite seeds before `switchyard setup --write` (which must keep them), and its common base-URL mistake.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_DIR, KILO_BIN, OPENCODE_BIN } from './paths.js';

export type ClientId = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode' | 'kilo';

export interface ClientSpec {
  id: ClientId;
  label: string;
  command: string;
  versionArgs: string[];
  /** Quiet/telemetry/update switches and whatever else must be in the environment (never a base URL). */
  env(key: string): Record<string, string>;
  /** Settings of the user's own, written before `setup --write` (telemetry off, tool permissions). */
  seed(home: string): void;
  /** Arguments for one non-interactive prompt. */
  promptArgs(prompt: string, tool: boolean): string[];
  /** The base URL users commonly get wrong, configured by hand (no setup): env to add. */
  wrongBase: { label: string; configure(home: string, origin: string, key: string): Record<string, string> };
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

const CLAUDE_QUIET = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_BUG_COMMAND: '1',
};

const GEMINI_SETTINGS = {
  privacy: { usageStatisticsEnabled: false },
  telemetry: { enabled: false },
  general: { disableAutoUpdate: true, disableUpdateNag: true },
};

const OPENCODE_QUIET = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
  OPENCODE_DISABLE_CLAUDE_CODE: '1',
  OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
};

const KILO_QUIET = {
  KILO_DISABLE_AUTOUPDATE: '1',
  KILO_DISABLE_MODELS_FETCH: '1',
  KILO_DISABLE_SHARE: '1',
  KILO_DISABLE_LSP_DOWNLOAD: '1',
  KILO_DISABLE_DEFAULT_PLUGINS: '1',
  KILO_DISABLE_CLAUDE_CODE: '1',
  KILO_DISABLE_EXTERNAL_SKILLS: '1',
  KILO_DISABLE_SESSION_INGEST: '1',
  KILO_DISABLE_PRESENCE: '1',
  KILO_DISABLE_CODEBASE_INDEXING: '1',
  KILO_TELEMETRY_LEVEL: 'off',
};

/** opencode/Kilo: allow exactly the harmless echo, nothing else, without prompting. */
const ECHO_ONLY = { permission: { bash: { '*': 'deny', 'echo *': 'allow' } } };

export const CLIENTS: ClientSpec[] = [
  {
    id: 'claude-code',
    label: 'Claude Code',
    command: join(BIN_DIR, 'claude'),
    versionArgs: ['--version'],
    env: () => ({ ...CLAUDE_QUIET }),
    seed: () => {},
    promptArgs: (prompt, tool) => ['-p', prompt, ...(tool ? ['--allowedTools', 'Bash(echo:*)'] : [])],
    wrongBase: {
      label: 'ANTHROPIC_BASE_URL=…/v1',
      configure: (_home, origin, key) => ({ ANTHROPIC_BASE_URL: `${origin}/v1`, ANTHROPIC_API_KEY: key }),
    },
  },
  {
    id: 'codex',
    label: 'Codex CLI',
    command: join(BIN_DIR, 'codex'),
    versionArgs: ['--version'],
    env: (key) => ({ SWITCHYARD_API_KEY: key }),
    seed: () => {},
    promptArgs: (prompt) => ['exec', '--skip-git-repo-check', prompt],
    wrongBase: {
      label: 'base_url without /v1',
      configure: (home, origin, key) => {
        mkdirSync(join(home, '.codex'), { recursive: true });
        writeFileSync(
          join(home, '.codex', 'config.toml'),
          `model = "gpt-5-codex"\nmodel_provider = "gw"\n\n[model_providers.gw]\nname = "gw"\nbase_url = "${origin}"\nenv_key = "GW_API_KEY"\nwire_api = "responses"\n`,
        );
        return { GW_API_KEY: key };
      },
    },
  },
  {
    id: 'gemini-cli',
    label: 'Gemini CLI',
    command: join(BIN_DIR, 'gemini'),
    versionArgs: ['--version'],
    env: () => ({ GEMINI_CLI_TRUST_WORKSPACE: 'true' }),
    seed: (home) => writeJson(join(home, '.gemini', 'settings.json'), GEMINI_SETTINGS),
    promptArgs: (prompt, tool) => ['-p', prompt, ...(tool ? ['--allowed-tools', 'run_shell_command(echo)'] : [])],
    wrongBase: {
      label: 'GOOGLE_GEMINI_BASE_URL=…/v1beta',
      configure: (home, origin, key) => {
        writeJson(join(home, '.gemini', 'settings.json'), { ...GEMINI_SETTINGS, security: { auth: { selectedType: 'gemini-api-key' } } });
        return { GOOGLE_GEMINI_BASE_URL: `${origin}/v1beta`, GEMINI_API_KEY: key };
      },
    },
  },
  {
    id: 'opencode',
    label: 'opencode',
    command: OPENCODE_BIN,
    versionArgs: ['--version'],
    env: () => ({ ...OPENCODE_QUIET }),
    seed: (home) => writeJson(join(home, '.config', 'opencode', 'opencode.json'), { ...ECHO_ONLY, autoupdate: false, share: 'disabled' }),
    promptArgs: (prompt) => ['run', prompt],
    wrongBase: {
      label: 'baseURL without /v1',
      configure: (_home, origin, key) => ({
        OPENCODE_CONFIG_CONTENT: JSON.stringify({
          provider: { gw: { npm: '@ai-sdk/openai-compatible', name: 'GW', options: { baseURL: origin, apiKey: key }, models: { 'gpt-4o': { name: 'gpt-4o' } } } },
          model: 'gw/gpt-4o',
        }),
      }),
    },
  },
  {
    id: 'kilo',
    label: 'Kilo CLI',
    command: KILO_BIN,
    versionArgs: ['--version'],
    env: () => ({ ...KILO_QUIET }),
    seed: (home) => writeJson(join(home, '.config', 'kilo', 'kilo.json'), { ...ECHO_ONLY, autoupdate: false, share: 'disabled' }),
    promptArgs: (prompt) => ['run', prompt],
    wrongBase: {
      label: 'baseURL = full …/v1/chat/completions endpoint',
      configure: (_home, origin, key) => ({
        KILO_CONFIG_CONTENT: JSON.stringify({
          provider: {
            gw: { npm: '@ai-sdk/openai-compatible', name: 'GW', options: { baseURL: `${origin}/v1/chat/completions`, apiKey: key }, models: { 'gpt-4o': { name: 'gpt-4o' } } },
          },
          model: 'gw/gpt-4o',
        }),
      }),
    },
  },
];
