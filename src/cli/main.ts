#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { configFlags, GATEWAY_OPTIONS } from './gateway-options.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { withConsoleServerSettings } from '../admin/console-settings.js';
import { createGateway } from '../server/app.js';
import { VERSION } from '../version.js';
import { banner } from './banner.js';
import { runDoctor } from './commands/doctor.js';
import { runSetup } from './commands/setup.js';
import { createLogger } from './logger.js';

const HELP = `switchyard ${VERSION} — one local endpoint for OpenAI, Anthropic and Gemini clients

Usage:
  switchyard [serve] [--config FILE] [--port N] [--host H] [--data-dir DIR]
  switchyard setup <client> [--write | --restore]   configure claude-code, codex, gemini-cli, opencode, kilo, *-sdk
  switchyard doctor [BASE_URL]                      check a running gateway as a client would
  switchyard --version
  switchyard --help

Options:
  -c, --config FILE    config file (YAML or JSON); default <data-dir>/config.yaml if present
  -p, --port N         port to listen on (default 8045)
      --host H         address to listen on (default 127.0.0.1; 0.0.0.0 with allow_lan_access)
      --data-dir DIR   where Switchyard keeps its state (default ~/.switchyard)
  -v, --version        print the version
  -h, --help           print this help

Environment: SWITCHYARD_CONFIG, SWITCHYARD_HOST, SWITCHYARD_PORT, SWITCHYARD_DATA_DIR,
SWITCHYARD_AUTH_MODE, SWITCHYARD_API_KEY (or API_KEY), SWITCHYARD_MAX_BODY_SIZE (or ABV_MAX_BODY_SIZE),
SWITCHYARD_LOG_LEVEL, SWITCHYARD_ADMIN_PASSWORD (or WEB_PASSWORD), SWITCHYARD_ENCRYPTION_KEY.
Flags override the environment, which overrides the config file.`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'setup') return runSetup(argv.slice(1));
  if (argv[0] === 'doctor') return runDoctor(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...GATEWAY_OPTIONS,
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    process.stderr.write(`switchyard: ${(err as Error).message}\nRun 'switchyard --help' for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = positionals[0] ?? 'serve';
  if (command !== 'serve' || positionals.length > 1) {
    process.stderr.write(`switchyard: unknown command '${positionals.join(' ')}'. Run 'switchyard --help' for usage.\n`);
    return 2;
  }

  let config;
  let consoleSettings: Awaited<ReturnType<typeof withConsoleServerSettings>> | undefined;
  try {
    const flags = configFlags(values);
    config = loadConfig(flags);
    // auth mode, LAN access and body limit saved in the browser console apply from this start on.
    consoleSettings = await withConsoleServerSettings(config, (env) => loadConfig(flags, { ...process.env, ...env }));
    config = consoleSettings.config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchyard: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const log = createLogger(config.log_level);
  if (consoleSettings?.applied.length) log.info({ settings: consoleSettings.applied }, 'server settings saved in the console apply');
  if (consoleSettings?.dropped.length) log.info({ settings: consoleSettings.dropped }, 'the config changed server settings the console had saved; the config wins');
  const gateway = createGateway(config, log);
  let url: string;
  try {
    url = await gateway.listen();
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use (another Switchyard or Antigravity Tools?). Stop it or pass --port.`
        : code === 'EACCES'
          ? `not allowed to listen on ${config.host}:${config.port}; pick a port above 1024.`
          : (err as Error).message;
    process.stderr.write(`switchyard: cannot start: ${why}\n`);
    return 1;
  }
  // Providers as the store has them (the config file seeds the store; the admin API edits it).
  process.stdout.write(banner({ ...config, providers: gateway.providers.map((p) => p.config) }, url) + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write('switchyard: forced exit\n');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, `shutting down; letting in-flight requests finish (up to ${config.shutdown_grace_seconds}s)`);
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`switchyard: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
