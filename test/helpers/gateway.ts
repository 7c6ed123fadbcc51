import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createGateway, type Gateway } from '../../src/server/app.js';

export interface RunningGateway {
  /** `http://127.0.0.1:PORT` */
  url: string;
  gateway: Gateway;
  config: Config;
  dataDir: string;
  /** Every log line the gateway wrote, as JSON text. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the real gateway in this process on a free port, configured from a YAML file written the
 * way a user would write it (so the config loader is exercised too).
 */
export interface StartOptions {
  /** Use this data dir (and keep it on close) instead of a fresh temporary one: restarts see the same store. */
  dataDir?: string;
}

export async function startGateway(config: Record<string, unknown>, env: Record<string, string> = {}, opts: StartOptions = {}): Promise<RunningGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'switchyard-test-'));
  const file = join(dataDir, 'config.yaml');
  writeFileSync(file, stringify(config));
  const cfg = loadConfig({ config: file, dataDir, port: config.port === undefined ? 0 : (config.port as number) }, env);
  const logs: string[] = [];
  const log = pino({ level: 'debug', base: undefined }, { write: (line: string) => void logs.push(line) });
  const gateway = createGateway(cfg, log);
  const url = await gateway.listen();
  // Let the start-up model-list fetch finish, so it does not take a fault a test scripted for a request.
  await gateway.refreshModels();
  return {
    url,
    gateway,
    config: cfg,
    dataDir,
    logs,
    async close() {
      await gateway.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
