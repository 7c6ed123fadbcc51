// What the benchmark measures: the mock upstream itself ("direct"), the bare Node proxy (the
// baseline), Switchyard, and peer gateways from npm — each started on loopback and pointed at the same
// mock. A target says, per kind of request, how a client asks it (path, headers, body) or why it cannot.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnNode, stop, waitForHttp } from './proc.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const peersDir = join(root, 'bench', 'peers');
const loopbackOnly = join(root, 'bench', 'lib', 'loopback-only.mjs');

// Kinds of request (see run.mjs for the scenarios that use them):
//   relay          Anthropic client → Anthropic upstream, non-streaming, small body
//   relay-stream   the same, streaming
//   a2o            Anthropic client (Claude Code request) → OpenAI Chat upstream, streaming
//   o2g            OpenAI Chat client (the same request) → Gemini upstream, streaming

const json = (v) => JSON.stringify(v);

/** The mock itself, called directly: what a request costs with no gateway at all. */
export function directTarget(mock) {
  return {
    name: 'direct',
    label: 'mock direct',
    role: 'direct',
    get origin() {
      return mock.origin;
    },
    pid: undefined,
    async start() {},
    async stop() {},
    request: (kind, r) => {
      if (kind === 'relay' || kind === 'relay-stream') return { path: '/v1/messages', headers: r.anthropicHeaders, body: json(r.small(kind)) };
      // Translation scenarios: the client's request answered by the mock in the client's own dialect.
      if (kind === 'a2o') return { path: '/v1/messages', headers: r.ccHeaders, body: json({ ...r.cc, model: 'claude-mock' }) };
      if (kind === 'o2g') return { path: '/v1/chat/completions', headers: r.openaiHeaders, body: json({ ...r.ccOpenai, model: 'mock-model' }) };
      return undefined;
    },
  };
}

/** The bare node:http + undici proxy; forwards whatever it gets to the mock. */
export function baselineTarget(mock, workDir) {
  const t = {
    name: 'baseline',
    label: 'bare Node proxy',
    role: 'baseline',
    origin: undefined,
    child: undefined,
    get pid() {
      return t.child?.pid;
    },
    healthPath: '/v1/models',
    command: (port) => [join(root, 'bench', 'lib', 'bare-proxy.mjs'), '--port', String(port), '--upstream', mock.origin],
    async start({ fds } = {}) {
      const port = await freePort();
      t.origin = `http://127.0.0.1:${port}`;
      t.child = spawnNode(t.command(port), { logFile: join(workDir, 'baseline.log'), fds });
      await waitForHttp(t.origin + t.healthPath, { child: t.child });
    },
    async stop() {
      await stop(t.child);
      t.child = undefined;
    },
    request: (kind, r) => directTarget(mock).request(kind, r),
  };
  return t;
}

/** The gateway config the bench runs Switchyard with: three providers on the mock, logging on. */
export function switchyardConfig(mock, extra = {}) {
  return {
    log_level: 'info', // one pino line per request, written to a file as in production
    auth_mode: 'off',
    providers: [
      { name: 'mock-anthropic', type: 'anthropic', base_url: mock.origin, api_keys: ['sk-ant-bench-1'], models: ['claude-*'] },
      { name: 'mock-openai', type: 'openai', base_url: `${mock.origin}/v1`, api_keys: ['sk-bench-1'], models: ['mock-*', 'to-openai-*'] },
      { name: 'mock-gemini', type: 'gemini', base_url: mock.origin, api_keys: ['gk-bench-1'], models: ['gemini-*'] },
    ],
    ...extra,
  };
}

/**
 * Switchyard from dist/, with request logging ON: the per-request pino line goes to a log file, and
 * the data dir is a fresh one, so a request log kept there (SQLite, when the build has one) is
 * written as a user would have it. Extra config keys come from `--switchyard-config '{"…":…}'`.
 */
export function switchyardTarget(mock, workDir, extraConfig, distDir = join(root, 'dist')) {
  distDir ??= join(root, 'dist');
  const t = {
    name: 'switchyard',
    label: 'Switchyard',
    role: 'gateway',
    origin: undefined,
    child: undefined,
    runs: 0,
    get pid() {
      return t.child?.pid;
    },
    healthPath: '/healthz',
    dataDir: undefined,
    command(port) {
      const configFile = join(workDir, `${t.name}.json`);
      writeFileSync(configFile, JSON.stringify(switchyardConfig(mock, extraConfig), null, 2));
      t.dataDir = join(workDir, `${t.name}-data-${t.runs++}`);
      mkdirSync(t.dataDir, { recursive: true });
      return [join(distDir, 'cli', 'main.js'), '--config', configFile, '--port', String(port), '--data-dir', t.dataDir];
    },
    env: { SWITCHYARD_LOG_FORMAT: 'json' },
    async start({ fds, nodeFlags } = {}) {
      const port = await freePort();
      t.origin = `http://127.0.0.1:${port}`;
      t.child = spawnNode(t.command(port), { logFile: join(workDir, `${t.name}.log`), fds, env: t.env, nodeFlags });
      await waitForHttp(t.origin + t.healthPath, { child: t.child });
    },
    async stop() {
      await stop(t.child, 15_000);
      t.child = undefined;
    },
    request(kind, r) {
      if (kind === 'relay' || kind === 'relay-stream') return { path: '/v1/messages', headers: r.anthropicHeaders, body: json(r.small(kind)) };
      if (kind === 'a2o') return { path: '/v1/messages', headers: r.ccHeaders, body: json({ ...r.cc, model: 'to-openai-mock' }) };
      if (kind === 'o2g') return { path: '/v1/chat/completions', headers: r.openaiHeaders, body: json({ ...r.ccOpenai, model: 'gemini-mock' }) };
      return undefined;
    },
  };
  return t;
}

/** Whether the peers are installed in bench/peers/node_modules. */
export function peersInstalled() {
  return (
    existsSync(join(peersDir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js')) &&
    existsSync(join(peersDir, 'node_modules', '@musistudio', 'claude-code-router', 'dist', 'cli.js'))
  );
}

export const PEERS_DIR = peersDir;

/** Portkey AI gateway 1.15.2: the upstream comes from `x-portkey-provider` + `x-portkey-custom-host`. */
export function portkeyTarget(mock, workDir) {
  const t = {
    name: 'portkey',
    label: 'Portkey 1.15.2',
    role: 'peer',
    origin: undefined,
    child: undefined,
    get pid() {
      return t.child?.pid;
    },
    healthPath: '/',
    command: (port) => [join(peersDir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js'), `--port=${port}`, '--headless'],
    // Portkey listens on every interface and has no host flag: the preload keeps it on loopback.
    nodeFlags: ['--import', loopbackOnly],
    async start({ fds } = {}) {
      const port = await freePort();
      t.origin = `http://127.0.0.1:${port}`;
      t.child = spawnNode(t.command(port), { cwd: peersDir, logFile: join(workDir, 'portkey.log'), fds, nodeFlags: t.nodeFlags });
      await waitForHttp(t.origin + t.healthPath, { child: t.child });
    },
    async stop() {
      await stop(t.child);
      t.child = undefined;
    },
    request(kind, r) {
      if (kind === 'relay' || kind === 'relay-stream') {
        return {
          path: '/v1/messages',
          headers: { ...r.anthropicHeaders, 'x-portkey-provider': 'anthropic', 'x-portkey-custom-host': `${mock.origin}/v1` },
          body: json(r.small(kind)),
        };
      }
      if (kind === 'o2g') {
        // For google the custom host must be the bare origin (PEERS.md).
        return {
          path: '/v1/chat/completions',
          headers: { ...r.openaiHeaders, 'x-portkey-provider': 'google', 'x-portkey-custom-host': mock.origin },
          body: json({ ...r.ccOpenai, model: 'gemini-mock' }),
        };
      }
      if (kind === 'a2o') return { unsupported: '/v1/messages with provider openai: "messages is not supported by openai"' };
      return undefined;
    },
  };
  return t;
}

/** claude-code-router 2.0.0 (3.x does not install): config in $HOME/.claude-code-router, LOG off. */
export function ccrTarget(mock, workDir) {
  const home = join(workDir, 'ccr-home');
  const t = {
    name: 'ccr',
    label: 'CCR 2.0.0',
    role: 'peer',
    origin: undefined,
    child: undefined,
    get pid() {
      return t.child?.pid;
    },
    healthPath: '/health',
    port: undefined,
    command(port) {
      mkdirSync(join(home, '.claude-code-router'), { recursive: true });
      writeFileSync(
        join(home, '.claude-code-router', 'config.json'),
        JSON.stringify({
          HOST: '127.0.0.1',
          PORT: port,
          LOG: false,
          Providers: [
            { name: 'mockoai', api_base_url: `${mock.origin}/v1/chat/completions`, api_key: 'sk-bench-1', models: ['mock-model'] },
            { name: 'mockgem', api_base_url: `${mock.origin}/v1beta/models/`, api_key: 'gk-bench-1', models: ['gemini-mock'], transformer: { use: ['gemini'] } },
            { name: 'mockant', api_base_url: `${mock.origin}/v1/messages`, api_key: 'sk-ant-bench-1', models: ['claude-mock'], transformer: { use: ['Anthropic'] } },
          ],
          Router: { default: 'mockant,claude-mock' },
        }),
      );
      return [join(peersDir, 'node_modules', '@musistudio', 'claude-code-router', 'dist', 'cli.js'), 'start'];
    },
    env: { HOME: home },
    nodeFlags: ['--import', loopbackOnly],
    async start({ fds } = {}) {
      const port = await freePort();
      t.origin = `http://127.0.0.1:${port}`;
      t.child = spawnNode(t.command(port), { cwd: peersDir, env: t.env, logFile: join(workDir, 'ccr.log'), fds, nodeFlags: t.nodeFlags });
      await waitForHttp(t.origin + t.healthPath, { child: t.child });
    },
    async stop() {
      await stop(t.child);
      t.child = undefined;
    },
    request(kind, r) {
      // The model "provider,model" picks the provider explicitly.
      if (kind === 'relay' || kind === 'relay-stream') return { path: '/v1/messages', headers: r.anthropicHeaders, body: json({ ...r.small(kind), model: 'mockant,claude-mock' }) };
      if (kind === 'a2o') return { path: '/v1/messages', headers: r.ccHeaders, body: json({ ...r.cc, model: 'mockoai,mock-model' }) };
      if (kind === 'o2g') return { unsupported: '/v1/chat/completions answers "Provider \'undefined\' not found" through `ccr start`' };
      return undefined;
    },
  };
  return t;
}

/** antigravity-claude-proxy: listed so the output says why it is not run. */
export const AGP_NOTE =
  'antigravity-claude-proxy 2.0.4: not run — its upstream is hard-coded (cloudcode-pa.googleapis.com and daily-cloudcode-pa in src/constants.js, no setting or env var) and it signs in with Google OAuth accounts; pointing it at a local mock means editing its installed source, which would no longer be the package users install.';

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
