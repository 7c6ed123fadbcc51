// The system under test: a local upstream of each vendor type, one real `switchyard` process (the built
// bin, on the repo's Node) in front of each, and a recording pass-through so the suite sees exactly
// which paths each client sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  startAnthropicUpstream,
  startGeminiUpstream,
  startOpenAIUpstream,
  type OfferedTool,
  type ScriptContext,
  type ScriptFn,
  type Upstream,
  type Vendor,
} from '../../test/upstreams/index.js';
import { argumentsFor } from '../../test/upstreams/index.js';
import { SWITCHYARD_CLI, WORK_DIR } from './paths.js';
import { structuredSchema, toolResultsIn } from './tool-results.js';

export const UPSTREAM_TYPES: Vendor[] = ['openai', 'anthropic', 'gemini'];
export const GATEWAY_KEY = 'sk-e2e-gateway-key';

export interface SeenRequest {
  method: string;
  url: string;
  status: number;
  rewrite?: string;
  userAgent?: string;
}

/** What the current run expects the upstream to do (runs are sequential). */
export interface RunExpectation {
  nonce: string;
  mode: 'text' | 'tool';
  /** The shell command the upstream asks the client to run. */
  command: string;
  /** Filled by the script: the tool call the upstream issued. */
  issued?: { id: string; name: string; vendor: Vendor };
}

let current: RunExpectation | undefined;
export function expectRun(run: RunExpectation | undefined): void {
  current = run;
}

/** Tool names the agent CLIs give their shell tool. */
const SHELL_TOOL = /^(Bash|bash|shell|exec_command|run_shell_command|local_shell)$/;

function shellTool(tools: OfferedTool[]): OfferedTool | undefined {
  return tools.find((t) => SHELL_TOOL.test(t.name));
}

/** Arguments for the shell tool: the command in `command`/`cmd`, harmless values for other required fields. */
function shellArgs(tool: OfferedTool, command: string): Record<string, unknown> {
  const props = (tool.parameters?.properties ?? {}) as Record<string, { type?: unknown }>;
  const required = Array.isArray(tool.parameters?.required) ? (tool.parameters.required as string[]) : [];
  const args: Record<string, unknown> = {};
  const cmdKey = 'command' in props ? 'command' : 'cmd' in props ? 'cmd' : 'command';
  const type = String(props[cmdKey]?.type ?? 'string').toLowerCase();
  args[cmdKey] = type === 'array' ? ['bash', '-lc', command] : command;
  for (const name of required) {
    if (name in args) continue;
    const t = String(props[name]?.type ?? 'string').toLowerCase();
    args[name] = t === 'boolean' ? false : t === 'integer' || t === 'number' ? 10000 : t === 'array' ? [] : 'Print a marker for the e2e check';
  }
  if ('description' in props && !('description' in args)) args.description = 'Print a marker for the e2e check';
  return args;
}

const CALL_ID: Record<Vendor, (n: string) => string> = {
  openai: (n) => `call_e2e${n}`,
  anthropic: (n) => `toolu_e2e${n}`,
  gemini: (n) => `e2e-call-${n}`,
};

const VENDOR_NAME: Record<Vendor, string> = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' };

/**
 * Answers requests of the current run (they carry its nonce): the final answer once a tool result is in
 * the history, a call of the client's shell tool in a tool run, else a greeting naming the upstream. A
 * thinking part comes first whenever the request asks for thinking, as the vendors do.
 */
const script: ScriptFn = (ctx: ScriptContext) => {
  const run = current;
  if (!run || !JSON.stringify(ctx.body).includes(run.nonce)) return undefined;
  const thinking = ctx.view.wantsThinking ? { thinking: `Working on e2e check ${run.nonce}` } : {};
  const schema = structuredSchema(ctx.api, ctx.body);
  // A structured-output side request (Gemini CLI's model router): a JSON object that fits the schema.
  if (schema) return { kind: 'reply', reply: { text: JSON.stringify(argumentsFor({ name: 'schema', parameters: schema })) } };
  const results = toolResultsIn(ctx.api, ctx.body);
  if (results.length > 0) return { kind: 'reply', reply: { ...thinking, text: `tool result was: ${results.map((r) => r.output.trim()).join('\n')}` } };
  const tool = run.mode === 'tool' ? shellTool(ctx.view.tools) : undefined;
  if (tool) {
    const id = CALL_ID[ctx.vendor](run.nonce.replace(/[^a-z0-9]/gi, ''));
    run.issued = { id, name: tool.name, vendor: ctx.vendor };
    return { kind: 'reply', reply: { ...thinking, toolCalls: [{ id, name: tool.name, arguments: shellArgs(tool, run.command) }] } };
  }
  return { kind: 'reply', reply: { ...thinking, text: `Hello from the ${VENDOR_NAME[ctx.vendor]} upstream. e2e answer ${run.nonce}.` } };
};

export interface GatewayUnderTest {
  type: Vendor;
  upstream: Upstream;
  /** The address clients use (the recording pass-through in front of the gateway). */
  url: string;
  /** The gateway itself. */
  directUrl: string;
  seen: SeenRequest[];
  logFile: string;
  close(): Promise<void>;
}

function startUpstream(type: Vendor): Promise<Upstream> {
  const opts = { script };
  return type === 'openai' ? startOpenAIUpstream(opts) : type === 'anthropic' ? startAnthropicUpstream(opts) : startGeminiUpstream(opts);
}

function waitForBanner(proc: ChildProcess, logFile: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const log = createWriteStream(logFile);
    const timer = setTimeout(() => reject(new Error(`switchyard did not start within 20 s:\n${out}`)), 20_000);
    proc.stdout?.on('data', (d: Buffer) => {
      log.write(d);
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    });
    proc.stderr?.on('data', (d: Buffer) => {
      log.write(d);
      out += d.toString();
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard exited with ${code}:\n${out}`));
    });
  });
}

function startRecorder(target: string, seen: SeenRequest[]): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const upstreamReq = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers, agent },
      (upRes) => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          status: upRes.statusCode ?? 0,
          ...(typeof upRes.headers['x-switchyard-path-rewrite'] === 'string' && { rewrite: upRes.headers['x-switchyard-path-rewrite'] }),
          ...(req.headers['user-agent'] && { userAgent: req.headers['user-agent'] }),
        });
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    upstreamReq.on('error', (err) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', status: 502 });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`e2e recorder: ${err.message}`);
    });
    req.pipe(upstreamReq);
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
  });
  return new Promise((resolvePromise) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            agent.destroy();
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

export async function startGatewayFor(type: Vendor): Promise<GatewayUnderTest> {
  const upstream = await startUpstream(type);
  const dir = join(WORK_DIR, 'gateways', type);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  const base = type === 'openai' ? `${upstream.url}/v1` : upstream.url;
  writeFileSync(
    config,
    [
      'host: 127.0.0.1',
      'port: 0',
      'auth_mode: all_except_health',
      `api_keys: [${GATEWAY_KEY}]`,
      'log_level: info',
      'providers:',
      `  - name: ${type}-upstream`,
      `    type: ${type}`,
      `    base_url: ${base}`,
      `    api_keys: [sk-upstream-${type}]`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'gateway.log');
  const proc = spawn(process.execPath, [SWITCHYARD_CLI, '--config', config, '--data-dir', dir], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const directUrl = await waitForBanner(proc, logFile);
  const seen: SeenRequest[] = [];
  const recorder = await startRecorder(directUrl, seen);
  return {
    type,
    upstream,
    url: recorder.url,
    directUrl,
    seen,
    logFile,
    async close() {
      await recorder.close();
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      await upstream.close();
    },
  };
}
