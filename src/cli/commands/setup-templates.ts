// What each client needs to use a Switchyard gateway: environment, config file edits, a command to try.
// Pure: `switchyard setup` prints and writes these; the README's "Use with…" section is rendered from
// them too (a test checks the two agree), and the e2e suite configures the real CLIs with them.

import { chooseModels, type ModelChoice } from './client-models.js';
import { editDotenv, editToml, mergeJsonText, tomlTopLevel } from './config-edits.js';

export const SETUP_CLIENTS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'kilo', 'openai-sdk', 'anthropic-sdk', 'genai-sdk'] as const;
export type SetupClient = (typeof SETUP_CLIENTS)[number];

/** Other names people type for the same clients. */
export const CLIENT_ALIASES: Record<string, SetupClient> = {
  claude: 'claude-code',
  'claude-code': 'claude-code',
  codex: 'codex',
  'codex-cli': 'codex',
  gemini: 'gemini-cli',
  'gemini-cli': 'gemini-cli',
  opencode: 'opencode',
  kilo: 'kilo',
  'kilo-code': 'kilo',
  kilocode: 'kilo',
  openai: 'openai-sdk',
  'openai-sdk': 'openai-sdk',
  anthropic: 'anthropic-sdk',
  'anthropic-sdk': 'anthropic-sdk',
  genai: 'genai-sdk',
  'genai-sdk': 'genai-sdk',
  'google-genai': 'genai-sdk',
  'gemini-sdk': 'genai-sdk',
};

export interface SetupContext {
  /** The gateway's origin as clients reach it, e.g. `http://127.0.0.1:8045` (no trailing slash). */
  origin: string;
  /** The key clients send (any value works while auth is off). */
  key: string;
  /** Model names the gateway serves, best first (empty when unknown). */
  models: string[];
  /** A model the user asked for (`--model`), used as both main and small model. */
  model?: string;
}

/** A file `--write` changes: `path` relative to the home directory, `~/…` style for display. */
export interface FileEdit {
  /** Path relative to the user's home (or to XDG_CONFIG_HOME when `xdg` is set). */
  path: string;
  /** Under `$XDG_CONFIG_HOME` (default `~/.config`) rather than the home directory. */
  xdg?: boolean;
  /** An environment variable that, when set, names the file's directory instead (CODEX_HOME, CLAUDE_CONFIG_DIR). */
  dirEnv?: string;
  /** What the edit does, one line. */
  summary: string;
  /** The snippet to show (what is merged in). */
  preview: string;
  previewLang: 'json' | 'toml' | 'sh';
  /** The new file text given the current one (`undefined` when the file does not exist). */
  apply(current: string | undefined): string;
  /** A warning about the current file, if any. */
  check?(current: string | undefined): string | undefined;
}

export interface SetupPlan {
  client: SetupClient;
  title: string;
  /** Variables to export in the shell (in order). */
  env: [string, string][];
  /** Files `--write` changes (empty for SDKs: there is no config file to write). */
  files: FileEdit[];
  /** Variables still needed in the shell after `--write` (the files hold the rest). */
  exportAfterWrite: [string, string][];
  /** Code to paste (SDKs). */
  code?: { lang: string; text: string };
  /** A command that tries it. */
  run: string;
  notes: string[];
}

const KEY_VAR = 'SWITCHYARD_API_KEY';
const PROVIDER_ID = 'switchyard';

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function pick(ctx: SetupContext, family: 'anthropic' | 'openai' | 'gemini'): ModelChoice | undefined {
  if (ctx.model) return { main: ctx.model, small: ctx.model };
  return chooseModels(ctx.models, family);
}

/** Model list offered in opencode/Kilo provider JSON: the chosen ones first, at most 12. */
function offeredModels(ctx: SetupContext, choice: ModelChoice | undefined): string[] {
  const names = [choice?.main, choice?.small, ...(ctx.model ? [] : ctx.models)].filter((m): m is string => !!m);
  return [...new Set(names)].slice(0, 12);
}

function claudeCode(ctx: SetupContext): SetupPlan {
  const m = pick(ctx, 'anthropic');
  const env: [string, string][] = [
    ['ANTHROPIC_BASE_URL', ctx.origin],
    ['ANTHROPIC_AUTH_TOKEN', ctx.key],
  ];
  if (m) {
    // Claude Code's own aliases (opus, sonnet, haiku) must name models the gateway serves too.
    const opus = ctx.model ?? ctx.models.find((x) => /opus/i.test(x)) ?? m.main;
    env.push(['ANTHROPIC_MODEL', m.main], ['ANTHROPIC_DEFAULT_SONNET_MODEL', m.main], ['ANTHROPIC_DEFAULT_OPUS_MODEL', opus], ['ANTHROPIC_DEFAULT_HAIKU_MODEL', m.small]);
  }
  const patch = { env: Object.fromEntries(env) };
  return {
    client: 'claude-code',
    title: 'Claude Code',
    env,
    files: [
      {
        path: '.claude/settings.json',
        dirEnv: 'CLAUDE_CONFIG_DIR',
        summary: 'sets these variables in the "env" block of Claude Code\'s user settings (other settings kept)',
        preview: json(patch),
        previewLang: 'json',
        apply: (current) => mergeJsonText(current, patch, '~/.claude/settings.json'),
      },
    ],
    exportAfterWrite: [],
    run: 'claude -p "say hi"',
    notes: [
      'ANTHROPIC_BASE_URL is the bare origin: Claude Code appends /v1/messages itself.',
      'ANTHROPIC_AUTH_TOKEN is sent as `Authorization: Bearer`, which Switchyard accepts like x-api-key.',
    ],
  };
}

function codex(ctx: SetupContext): SetupPlan {
  const m = pick(ctx, 'openai');
  const model = m?.main ?? 'gpt-5-codex';
  const table = {
    name: `model_providers.${PROVIDER_ID}`,
    values: { name: 'Switchyard', base_url: `${ctx.origin}/v1`, env_key: KEY_VAR, wire_api: 'responses' },
  };
  const top = { model, model_provider: PROVIDER_ID };
  return {
    client: 'codex',
    title: 'Codex CLI',
    env: [[KEY_VAR, ctx.key]],
    files: [
      {
        path: '.codex/config.toml',
        dirEnv: 'CODEX_HOME',
        summary: `sets model and model_provider and adds [model_providers.${PROVIDER_ID}] (other settings kept; $CODEX_HOME is honoured)`,
        preview: editToml(undefined, top, table).trimEnd(),
        previewLang: 'toml',
        apply: (current) => editToml(current, top, table),
        check: (current) =>
          tomlTopLevel(current, 'profile')
            ? `config.toml selects profile "${tomlTopLevel(current, 'profile')}", whose model_provider may override this one`
            : undefined,
      },
    ],
    exportAfterWrite: [[KEY_VAR, ctx.key]],
    run: 'codex exec "say hi"',
    notes: [
      'Codex speaks only the Responses API: wire_api = "responses"; base_url ends in /v1.',
      `Codex reads the key from $${KEY_VAR} (env_key); export it in the shell that runs codex.`,
    ],
  };
}

function geminiCli(ctx: SetupContext): SetupPlan {
  const m = pick(ctx, 'gemini');
  const env: [string, string][] = [
    ['GOOGLE_GEMINI_BASE_URL', ctx.origin],
    ['GEMINI_API_KEY', ctx.key],
  ];
  const settings: Record<string, unknown> = { security: { auth: { selectedType: 'gemini-api-key' } } };
  if (m) settings.model = { name: m.main };
  return {
    client: 'gemini-cli',
    title: 'Gemini CLI',
    env,
    files: [
      {
        path: '.gemini/settings.json',
        summary: 'selects API-key auth (security.auth.selectedType)' + (m ? ' and the model (model.name)' : '') + '; other settings kept',
        preview: json(settings),
        previewLang: 'json',
        apply: (current) => mergeJsonText(current, settings, '~/.gemini/settings.json'),
      },
      {
        path: '.gemini/.env',
        summary: 'sets the base URL and key for Gemini CLI (it reads ~/.gemini/.env when the project has no .env of its own)',
        preview: env.map(([k, v]) => `${k}=${v}`).join('\n'),
        previewLang: 'sh',
        apply: (current) => editDotenv(current, Object.fromEntries(env)),
      },
    ],
    exportAfterWrite: [],
    run: 'gemini -p "say hi"',
    notes: [
      'GOOGLE_GEMINI_BASE_URL is the bare origin: Gemini CLI appends /v1beta/models/… itself.',
      'Without security.auth.selectedType = "gemini-api-key", `gemini -p` stops with "Invalid auth method selected".',
      'Gemini CLI loads only the first .env it finds, starting in the project: in a project with its own .env, export the two variables instead.',
    ],
  };
}

/** opencode and Kilo share a config format (Kilo is built on opencode). */
function opencodeLike(ctx: SetupContext, client: 'opencode' | 'kilo'): SetupPlan {
  const m = pick(ctx, 'openai');
  const models = offeredModels(ctx, m);
  const main = m?.main ?? models[0] ?? 'gpt-5';
  if (models.length === 0) models.push(main);
  const patch = {
    provider: {
      [PROVIDER_ID]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Switchyard',
        options: { baseURL: `${ctx.origin}/v1`, apiKey: ctx.key },
        models: Object.fromEntries(models.map((id) => [id, { name: id }])),
      },
    },
    model: `${PROVIDER_ID}/${main}`,
  };
  const isKilo = client === 'kilo';
  const bin = isKilo ? 'kilo' : 'opencode';
  return {
    client,
    title: isKilo ? 'Kilo Code CLI' : 'opencode',
    env: [],
    files: [
      {
        path: isKilo ? 'kilo/kilo.json' : 'opencode/opencode.json',
        xdg: true,
        summary: `adds provider "${PROVIDER_ID}" (OpenAI-compatible, ${ctx.origin}/v1) and makes it the default model; other providers kept`,
        preview: json(patch),
        previewLang: 'json',
        apply: (current) => mergeJsonText(current, patch, isKilo ? '~/.config/kilo/kilo.json' : '~/.config/opencode/opencode.json'),
      },
    ],
    exportAfterWrite: [],
    run: `${bin} run -m ${PROVIDER_ID}/${main} "say hi"`,
    notes: [
      `baseURL ends in /v1; ${isKilo ? 'Kilo' : 'opencode'} appends /chat/completions itself — do not paste the full endpoint.`,
    ],
  };
}

function openaiSdk(ctx: SetupContext): SetupPlan {
  const m = pick(ctx, 'openai');
  const model = m?.main ?? 'gpt-5';
  return {
    client: 'openai-sdk',
    title: 'OpenAI SDKs (Python, JS) and OpenAI-compatible tools',
    env: [
      ['OPENAI_BASE_URL', `${ctx.origin}/v1`],
      ['OPENAI_API_KEY', ctx.key],
    ],
    files: [],
    exportAfterWrite: [],
    code: {
      lang: 'js',
      text: `import OpenAI from 'openai';\nconst client = new OpenAI(); // reads OPENAI_BASE_URL and OPENAI_API_KEY\nconst r = await client.chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: 'say hi' }] });`,
    },
    run: `curl -s ${ctx.origin}/v1/chat/completions -H "Authorization: Bearer $OPENAI_API_KEY" -H 'content-type: application/json' -d '{"model":"${model}","messages":[{"role":"user","content":"say hi"}]}'`,
    notes: ['The base URL ends in /v1: the SDKs append /chat/completions, /responses and /models.'],
  };
}

function anthropicSdk(ctx: SetupContext): SetupPlan {
  const m = pick(ctx, 'anthropic');
  const model = m?.main ?? 'claude-sonnet-4-5';
  return {
    client: 'anthropic-sdk',
    title: 'Anthropic SDKs (Python, JS)',
    env: [
      ['ANTHROPIC_BASE_URL', ctx.origin],
      ['ANTHROPIC_API_KEY', ctx.key],
    ],
    files: [],
    exportAfterWrite: [],
    code: {
      lang: 'js',
      text: `import Anthropic from '@anthropic-ai/sdk';\nconst client = new Anthropic(); // reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY\nconst r = await client.messages.create({ model: '${model}', max_tokens: 1024, messages: [{ role: 'user', content: 'say hi' }] });`,
    },
    run: `curl -s ${ctx.origin}/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' -d '{"model":"${model}","max_tokens":256,"messages":[{"role":"user","content":"say hi"}]}'`,
    notes: ['The base URL is the bare origin: the SDKs append /v1/messages themselves.'],
  };
}

function genaiSdk(ctx: SetupContext): SetupPlan {
  const m = pick(ctx, 'gemini');
  const model = m?.main ?? 'gemini-2.5-flash';
  return {
    client: 'genai-sdk',
    title: 'Google Gen AI SDK (@google/genai, google-genai)',
    env: [
      ['GOOGLE_GEMINI_BASE_URL', ctx.origin],
      ['GEMINI_API_KEY', ctx.key],
    ],
    files: [],
    exportAfterWrite: [],
    code: {
      lang: 'js',
      text: `import { GoogleGenAI } from '@google/genai';\nconst ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY, httpOptions: { baseUrl: '${ctx.origin}' } });\nconst r = await ai.models.generateContent({ model: '${model}', contents: 'say hi' });`,
    },
    run: `curl -s ${ctx.origin}/v1beta/models/${model}:generateContent -H "x-goog-api-key: $GEMINI_API_KEY" -H 'content-type: application/json' -d '{"contents":[{"parts":[{"text":"say hi"}]}]}'`,
    notes: ['The base URL is the bare origin: the SDK appends /v1beta/models/… (3.x: /v1/models/…; both are served).'],
  };
}

export function planFor(client: SetupClient, ctx: SetupContext): SetupPlan {
  switch (client) {
    case 'claude-code':
      return claudeCode(ctx);
    case 'codex':
      return codex(ctx);
    case 'gemini-cli':
      return geminiCli(ctx);
    case 'opencode':
    case 'kilo':
      return opencodeLike(ctx, client);
    case 'openai-sdk':
      return openaiSdk(ctx);
    case 'anthropic-sdk':
      return anthropicSdk(ctx);
    case 'genai-sdk':
      return genaiSdk(ctx);
  }
}

/** `export NAME=value` lines, quoting values only when the shell needs it. */
export function shellExports(env: [string, string][]): string {
  return env.map(([k, v]) => `export ${k}=${/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`}`).join('\n');
}

function displayPath(f: FileEdit): string {
  return f.xdg ? `~/.config/${f.path}` : `~/${f.path}`;
}

/** The plan as `switchyard setup <client>` prints it. */
export function renderPlan(plan: SetupPlan): string {
  const out: string[] = [`# ${plan.title} → Switchyard`];
  if (plan.env.length > 0) out.push('', '# environment (add to your shell profile):', shellExports(plan.env));
  for (const f of plan.files) out.push('', `# ${displayPath(f)}: ${f.summary}`, f.preview);
  if (plan.code) out.push('', `# code (${plan.code.lang}):`, plan.code.text);
  out.push('', '# try it:', plan.run);
  if (plan.notes.length > 0) out.push('', ...plan.notes.map((n) => `# note: ${n}`));
  return out.join('\n');
}

/** The plan as a README subsection (Markdown). */
export function renderPlanMarkdown(plan: SetupPlan): string {
  const cmd = `\`switchyard setup ${plan.client}\``;
  const out: string[] = [`### ${plan.title}`, ''];
  if (plan.env.length > 0) out.push(`${cmd} prints the environment`, '', '```sh', shellExports(plan.env), '```', '');
  if (plan.files.length > 0) {
    out.push(
      plan.env.length > 0
        ? 'and the config below, which `--write` merges in, keeping a backup (`--restore` puts it back):'
        : `${cmd} prints the config below, which \`--write\` merges in, keeping a backup (\`--restore\` puts it back):`,
      '',
    );
    for (const f of plan.files) out.push(`- \`${displayPath(f)}\`: ${f.summary}`, '', '```' + f.previewLang, f.preview, '```', '');
  }
  if (plan.code) out.push('```' + plan.code.lang, plan.code.text, '```', '');
  out.push('Try it:', '', '```sh', plan.run, '```', '');
  for (const n of plan.notes) out.push(`- ${n}`);
  if (plan.notes.length > 0) out.push('');
  return out.join('\n');
}

/** The context the README is rendered with: the default address, a placeholder key, typical models. */
export const README_CONTEXT: SetupContext = {
  origin: 'http://127.0.0.1:8045',
  key: 'sk-your-gateway-key',
  models: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-5-codex', 'gpt-5-mini', 'gemini-2.5-pro', 'gemini-2.5-flash'],
};

export const README_BEGIN = '<!-- setup:begin (generated by `npm run readme:setup` from src/cli/commands/setup-templates.ts) -->';
export const README_END = '<!-- setup:end -->';

/** The README's "Use with…" body: every client's plan with README_CONTEXT. */
export function renderReadmeSection(): string {
  return SETUP_CLIENTS.map((c) => renderPlanMarkdown(planFor(c, README_CONTEXT))).join('\n').trimEnd();
}
