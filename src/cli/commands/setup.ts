// `switchyard setup <client> [--write | --restore]`: the exact environment and config a client needs to
// use this gateway; `--write` merges it into the client's own config file (keeping a backup and every
// other setting), `--restore` puts the file back as it was before the first `--write`.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { configFlags, GATEWAY_OPTIONS } from '../gateway-options.js';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { ConfigFileError } from './config-edits.js';
import {
  CLIENT_ALIASES,
  SETUP_CLIENTS,
  planFor,
  renderPlan,
  shellExports,
  type FileEdit,
  type SetupClient,
  type SetupContext,
} from './setup-templates.js';

export interface CommandIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo = (): CommandIo => ({
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});

export const SETUP_HELP = `Usage: switchyard setup <client> [--write | --restore] [options]

Prints the environment and config <client> needs to use this gateway; --write merges it into the
client's own config file (a backup is kept, other settings stay), --restore puts that file back.

Clients: ${SETUP_CLIENTS.join(', ')}

Options:
      --url URL        the gateway's address as clients reach it (default: from the config, http://127.0.0.1:8045)
      --key KEY        the key clients send (default: SWITCHYARD_API_KEY, the configured key, or any value when auth is off)
      --model NAME     the model the client should use (default: picked from the models the gateway serves)
      --write          write the client's config file (backup: <file>.switchyard-backup)
      --restore        restore the client's config file from that backup
  -c, --config FILE    Switchyard config file, as for serve
  -p, --port N / --host H / --data-dir DIR   as for serve`;

/** The gateway's origin from a URL a user typed, dropping API version and endpoint segments at its end. */
export function gatewayOrigin(url: string): string {
  const u = new URL(url.trim());
  const segments = u.pathname.split('/').filter(Boolean);
  const strip = new Set(['v1', 'v1beta', 'v1alpha', 'chat', 'completions', 'responses', 'messages', 'models']);
  while (segments.length > 0 && strip.has(segments[segments.length - 1])) segments.pop();
  return u.origin + (segments.length > 0 ? '/' + segments.join('/') : '');
}

export function clientOriginOf(config: Pick<Config, 'host' | 'port'>): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/** Literal model names the config serves: non-glob provider patterns and non-glob mapping aliases. */
export function configuredModels(config: Pick<Config, 'providers' | 'model_mapping'>): string[] {
  const glob = /[*?[\]]/;
  const names = [
    ...config.providers.filter((p) => p.enabled).flatMap((p) => (p.models ?? []).filter((m) => !glob.test(m))),
    ...Object.keys(config.model_mapping).filter((m) => !glob.test(m)),
  ];
  return [...new Set(names)];
}

/** Model ids from a running gateway's OpenAI-shaped `GET /v1/models`, or undefined if it did not answer. */
export async function fetchServedModels(origin: string, key: string, timeoutMs = 2000): Promise<string[] | undefined> {
  try {
    const res = await fetch(`${origin}/v1/models`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { data?: { id?: unknown }[] };
    return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  } catch {
    return undefined;
  }
}

export function resolveClient(name: string | undefined): SetupClient | undefined {
  return name ? CLIENT_ALIASES[name.toLowerCase()] : undefined;
}

/** Absolute path of a plan's file for this user. */
export function filePath(f: FileEdit, env: Record<string, string | undefined>): string {
  const home = env.HOME || homedir();
  if (f.dirEnv && env[f.dirEnv]) return join(env[f.dirEnv] as string, basename(f.path));
  if (f.xdg) return join(env.XDG_CONFIG_HOME || join(home, '.config'), f.path);
  return join(home, f.path);
}

export const backupPath = (file: string) => `${file}.switchyard-backup`;
/** Marks that the file did not exist before the first --write (restore deletes it). */
export const absentMarker = (file: string) => `${file}.switchyard-backup-absent`;

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.switchyard-tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function writeFiles(files: FileEdit[], env: Record<string, string | undefined>, io: CommandIo): boolean {
  // Compute every new text first, so a broken file stops the command before anything is written.
  const edits: { file: string; current: string | undefined; next: string; f: FileEdit }[] = [];
  for (const f of files) {
    const file = filePath(f, env);
    const current = readIfExists(file);
    try {
      edits.push({ file, current, next: f.apply(current), f });
    } catch (err) {
      if (err instanceof ConfigFileError) {
        io.stderr(`switchyard setup: ${err.message}\n`);
        return false;
      }
      throw err;
    }
  }
  for (const { file, current, next, f } of edits) {
    const warning = f.check?.(current);
    if (current === next) {
      io.stdout(`unchanged ${file} (already set up)\n`);
      continue;
    }
    let backup = '';
    if (!existsSync(backupPath(file)) && !existsSync(absentMarker(file))) {
      mkdirSync(dirname(file), { recursive: true });
      if (current === undefined) writeFileSync(absentMarker(file), '');
      else writeFileSync(backupPath(file), current);
    }
    backup = existsSync(backupPath(file)) ? ` (backup of the original: ${backupPath(file)})` : ' (new file; --restore removes it)';
    writeAtomic(file, next);
    io.stdout(`wrote ${file}${backup}\n`);
    if (warning) io.stdout(`warning: ${warning}\n`);
  }
  return true;
}

function restoreFiles(files: FileEdit[], env: Record<string, string | undefined>, io: CommandIo): boolean {
  let any = false;
  for (const f of files) {
    const file = filePath(f, env);
    if (existsSync(backupPath(file))) {
      writeAtomic(file, readFileSync(backupPath(file), 'utf8'));
      rmSync(backupPath(file));
      io.stdout(`restored ${file} from ${backupPath(file)}\n`);
      any = true;
    } else if (existsSync(absentMarker(file))) {
      rmSync(file, { force: true });
      rmSync(absentMarker(file));
      io.stdout(`removed ${file} (it did not exist before setup --write)\n`);
      any = true;
    } else {
      io.stdout(`nothing to restore for ${file} (no backup from setup --write)\n`);
    }
  }
  return any;
}

export async function runSetup(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        model: { type: 'string' },
        write: { type: 'boolean' },
        restore: { type: 'boolean' },
        ...GATEWAY_OPTIONS,
      },
    });
  } catch (err) {
    io.stderr(`switchyard setup: ${(err as Error).message}\n${SETUP_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SETUP_HELP + '\n');
    return 0;
  }
  const client = resolveClient(positionals[0]);
  if (!client || positionals.length > 1) {
    io.stderr(`switchyard setup: ${positionals[0] ? `unknown client '${positionals.join(' ')}'` : 'which client?'}; one of ${SETUP_CLIENTS.join(', ')}\n`);
    return 2;
  }
  if (values.write && values.restore) {
    io.stderr('switchyard setup: --write and --restore do not go together\n');
    return 2;
  }

  let config: Config | undefined;
  try {
    config = loadConfig(configFlags(values), io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (!values.url) {
      io.stderr(`switchyard setup: ${err.message}\n`);
      return 2;
    }
  }

  let origin: string;
  try {
    origin = values.url ? gatewayOrigin(values.url) : clientOriginOf(config as Config);
  } catch {
    io.stderr(`switchyard setup: --url ${values.url} is not a URL (like http://127.0.0.1:8045)\n`);
    return 2;
  }
  const authOn = config ? config.effective_auth_mode !== 'off' : true;
  const key = values.key ?? io.env.SWITCHYARD_API_KEY ?? (authOn ? config?.api_keys[0] : undefined) ?? 'sk-switchyard';

  const probe = values.restore || values.model ? undefined : await fetchServedModels(origin, key);
  const models = probe ?? (config ? configuredModels(config) : []);
  const ctx: SetupContext = { origin, key, models, ...(values.model && { model: values.model }) };
  const plan = planFor(client, ctx);

  if (values.restore) {
    if (plan.files.length === 0) {
      io.stdout(`${plan.title} has no config file that setup writes; nothing to restore\n`);
      return 0;
    }
    restoreFiles(plan.files, io.env, io);
    return 0;
  }

  const source = values.model
    ? `--model ${values.model}`
    : probe
      ? `the running gateway at ${origin} (${probe.length} models)`
      : models.length > 0
        ? 'the config file (the gateway did not answer)'
        : undefined;
  const header = source
    ? `# models from ${source}`
    : `# models: unknown — no gateway answered at ${origin} and the config names none; the client keeps its default models (or pass --model)`;
  if (!values.write) {
    io.stdout(`${header}\n${renderPlan(plan)}\n`);
    if (plan.files.length > 0) io.stdout(`\n# run \`switchyard setup ${client} --write\` to write ${plan.files.length === 1 ? 'this file' : 'these files'}\n`);
    return 0;
  }
  if (plan.files.length === 0) {
    io.stdout(`${header}\n${renderPlan(plan)}\n\n# ${plan.title}: no config file to write — export the variables above or pass them to the client\n`);
    return 0;
  }
  if (!writeFiles(plan.files, io.env, io)) return 1;
  if (plan.exportAfterWrite.length > 0) io.stdout(`# also export, in the shell that runs ${plan.title}:\n${shellExports(plan.exportAfterWrite)}\n`);
  io.stdout(`# try it: ${plan.run}\n`);
  return 0;
}
