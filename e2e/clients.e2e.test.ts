// The real agent CLIs, end to end: each client × each upstream type through a real Switchyard, configured
// with `switchyard setup <client> --write`; a one-shot prompt, a tool round trip the client really runs
// (a harmless `echo`), and each client's common base-URL mistake. See README.md beside this file.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vendor } from '../test/upstreams/index.js';
import { CLIENTS, type ClientSpec } from './harness/clients.js';
import { execCli } from './harness/exec.js';
import { records, writeResults, type CaseRecord } from './harness/matrix.js';
import { assertInstalled, BIN_DIR, NODE22_DIR, SWITCHYARD_CLI, WORK_DIR } from './harness/paths.js';
import { expectRun, GATEWAY_KEY, startGatewayFor, UPSTREAM_TYPES, type GatewayUnderTest, type RunExpectation } from './harness/stack.js';
import { apiOfPath, toolResultsIn } from './harness/tool-results.js';

const CLI_TIMEOUT_MS = Number(process.env.E2E_CLI_TIMEOUT_MS ?? 150_000);
const VENDOR_NAME: Record<Vendor, string> = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' };
/** The upstream each client's wrong-base-URL run goes to (its own vendor, or OpenAI for the OpenAI-compatible ones). */
const WRONG_BASE_UPSTREAM: Record<string, Vendor> = { 'claude-code': 'anthropic', codex: 'openai', 'gemini-cli': 'gemini', opencode: 'openai', kilo: 'openai' };
/** The path the mistake produces, to prove the run exercised it. */
const WRONG_BASE_PATH: Record<string, RegExp> = {
  'claude-code': /^\/v1\/v1\/messages/,
  codex: /^\/responses/,
  'gemini-cli': /^\/v1beta\/v1beta\/models\//,
  opencode: /^\/chat\/completions/,
  kilo: /^\/v1\/chat\/completions\/chat\/completions/,
};
const ONLY = process.env.E2E_CLIENTS?.split(',').filter(Boolean);
const clients = ONLY ? CLIENTS.filter((c) => ONLY.includes(c.id)) : CLIENTS;
const netns = process.env.SWITCHYARD_E2E_NETNS === '1' ? 'network namespace with loopback only (unshare -n)' : 'host network; loopback-only settings';

const gateways = new Map<Vendor, GatewayUnderTest>();
const versions: Record<string, string> = {};

function baseEnv(home: string): Record<string, string> {
  const tmp = join(home, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return {
    PATH: `${NODE22_DIR}:${BIN_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: home,
    USER: process.env.USER ?? 'root',
    LOGNAME: process.env.USER ?? 'root',
    SHELL: '/bin/bash',
    TERM: 'dumb',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    TMPDIR: tmp,
  };
}

interface CaseOutcome {
  record: CaseRecord;
  stdout: string;
  stderr: string;
  run: RunExpectation;
  upstreamBodies: { path: string; body: unknown }[];
}

async function runCase(client: ClientSpec, gw: GatewayUnderTest, kind: CaseRecord['kind']): Promise<CaseOutcome> {
  const nonce = randomBytes(4).toString('hex');
  const home = join(WORK_DIR, 'runs', `${client.id}-${gw.type}-${kind}-${nonce}`);
  rmSync(home, { recursive: true, force: true });
  const project = join(home, 'project');
  mkdirSync(project, { recursive: true });
  client.seed(home);
  const env = { ...baseEnv(home), ...client.env(GATEWAY_KEY) };
  let note: string | undefined;
  if (kind === 'wrong-base') {
    Object.assign(env, client.wrongBase.configure(home, gw.url, GATEWAY_KEY));
    note = client.wrongBase.label;
  } else {
    const setup = await execCli(process.execPath, [SWITCHYARD_CLI, 'setup', client.id, '--url', gw.url, '--key', GATEWAY_KEY, '--write'], {
      env: baseEnv(home),
      cwd: project,
      timeoutMs: 30_000,
    });
    writeFileSync(join(home, 'setup.log'), setup.stdout + setup.stderr);
    if (setup.code !== 0) throw new Error(`switchyard setup ${client.id} --write failed (${setup.code}):\n${setup.stdout}${setup.stderr}`);
  }
  const tool = kind === 'tool';
  const prompt = tool
    ? `This is e2e tool check ${nonce}. Use your shell tool to run the echo command you are given, then report its output.`
    : `This is e2e check ${nonce}. Reply with a greeting.`;
  const run: RunExpectation = { nonce, mode: tool ? 'tool' : 'text', command: `echo "e2e-ok" "${nonce}"` };
  const seenBefore = gw.seen.length;
  const upBefore = gw.upstream.requests.length;
  expectRun(run);
  const result = await execCli(client.command, client.promptArgs(prompt, tool), { env, cwd: project, timeoutMs: CLI_TIMEOUT_MS });
  expectRun(undefined);
  const requests = gw.seen.slice(seenBefore);
  const upstreamBodies = gw.upstream.requests.slice(upBefore).map((r) => ({ path: r.path, body: r.body }));
  writeFileSync(
    join(home, 'run.log'),
    `$ ${client.command} ${client.promptArgs(prompt, tool).join(' ')}\nexit ${result.code} signal ${result.signal} ${result.ms} ms${result.timedOut ? ' TIMED OUT' : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}\n--- requests\n${requests.map((r) => `${r.method} ${r.url} ${r.status}${r.rewrite ? ` [${r.rewrite}]` : ''}`).join('\n')}\n`,
  );
  writeFileSync(join(home, 'upstream-requests.json'), JSON.stringify(upstreamBodies, null, 2));
  const record: CaseRecord = {
    client: client.id,
    version: versions[client.id] ?? '?',
    upstream: gw.type,
    kind,
    pass: false,
    exitCode: result.code,
    ms: result.ms,
    requests,
    upstreamRequests: upstreamBodies.length,
    ...(note && { note }),
  };
  records.push(record);
  if (result.timedOut) record.failure = `timed out after ${CLI_TIMEOUT_MS / 1000} s (logs: ${home})`;
  else if (result.code !== 0) record.failure = `exit ${result.code} (logs: ${home}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  return { record, stdout: result.stdout, stderr: result.stderr, run, upstreamBodies };
}

function fail(o: CaseOutcome, why: string): never {
  o.record.failure ??= why;
  throw new Error(`${o.record.client} → ${o.record.upstream} ${o.record.kind}: ${o.record.failure}\n--- stdout\n${o.stdout.slice(-1500)}\n--- stderr\n${o.stderr.slice(-1500)}`);
}

function assertAnswered(o: CaseOutcome, vendor: Vendor): void {
  if (o.record.exitCode !== 0) fail(o, o.record.failure ?? 'non-zero exit');
  if (!o.stdout.includes(`Hello from the ${VENDOR_NAME[vendor]} upstream. e2e answer ${o.run.nonce}`)) fail(o, `stdout lacks the ${vendor} upstream's answer`);
  if (o.record.upstreamRequests === 0) fail(o, 'no request reached the upstream');
  o.record.pass = true;
}

function assertToolRoundTrip(o: CaseOutcome): void {
  if (o.record.exitCode !== 0) fail(o, o.record.failure ?? 'non-zero exit');
  const issued = o.run.issued;
  if (!issued) fail(o, 'the client offered no shell tool, so the upstream could not call one');
  const expected = `e2e-ok ${o.run.nonce}`;
  const results = o.upstreamBodies.flatMap((r) => {
    const api = apiOfPath(r.path);
    return api ? toolResultsIn(api, r.body) : [];
  });
  // Gemini issues no call ids (the client makes its own); its results are matched by function name.
  const mine = results.find((r) => (issued.vendor === 'gemini' ? r.name === issued.name : r.id === issued.id));
  if (!mine) fail(o, `the upstream saw no tool result for its call ${issued.id} (results: ${JSON.stringify(results).slice(0, 300)})`);
  if (!mine.output.includes(expected)) fail(o, `the tool result does not carry the echo output "${expected}": ${mine.output.slice(0, 300)}`);
  if (!o.stdout.includes('tool result was:') || !o.stdout.includes(expected)) fail(o, "stdout lacks the upstream's final answer");
  o.record.pass = true;
}

beforeAll(async () => {
  assertInstalled();
  mkdirSync(WORK_DIR, { recursive: true });
  for (const c of clients) {
    const home = join(WORK_DIR, 'runs', `${c.id}-version`);
    mkdirSync(home, { recursive: true });
    const r = await execCli(c.command, c.versionArgs, { env: { ...baseEnv(home), ...c.env(GATEWAY_KEY) }, cwd: home, timeoutMs: 60_000 });
    versions[c.id] = (r.stdout.match(/\d+\.\d+\.\d+/) ?? ['?'])[0];
  }
  for (const t of UPSTREAM_TYPES) gateways.set(t, await startGatewayFor(t));
}, 180_000);

afterAll(async () => {
  process.stdout.write('\n' + writeResults(versions, netns) + '\n');
  for (const gw of gateways.values()) await gw.close();
}, 60_000);

for (const client of clients) {
  describe(client.label, () => {
    for (const type of UPSTREAM_TYPES) {
      it(`→ ${type} upstream: one-shot prompt prints the upstream's answer and exits 0`, async () => {
        const o = await runCase(client, gateways.get(type) as GatewayUnderTest, 'one-shot');
        assertAnswered(o, type);
      });
      it(`→ ${type} upstream: tool round trip (the client runs echo, the upstream sees the result)`, async () => {
        const o = await runCase(client, gateways.get(type) as GatewayUnderTest, 'tool');
        assertToolRoundTrip(o);
      });
    }
    it(`with its common wrong base URL (${client.wrongBase.label})`, async () => {
      const type = WRONG_BASE_UPSTREAM[client.id];
      const o = await runCase(client, gateways.get(type) as GatewayUnderTest, 'wrong-base');
      assertAnswered(o, type);
      if (!o.record.requests.some((r) => WRONG_BASE_PATH[client.id].test(r.url))) {
        o.record.pass = false;
        fail(o, `the client never sent the mistaken path ${WRONG_BASE_PATH[client.id]}; saw ${o.record.requests.map((r) => r.url).join(', ')}`);
      }
    });
  });
}

describe('switchyard doctor', () => {
  for (const type of UPSTREAM_TYPES) {
    it(`passes every check against the gateway in front of the ${type} upstream`, async () => {
      const gw = gateways.get(type) as GatewayUnderTest;
      const home = join(WORK_DIR, 'runs', `doctor-${type}`);
      mkdirSync(home, { recursive: true });
      const r = await execCli(process.execPath, [SWITCHYARD_CLI, 'doctor', `${gw.url}/v1`, '--key', GATEWAY_KEY, '--data-dir', home], {
        env: baseEnv(home),
        cwd: home,
        timeoutMs: 60_000,
      });
      writeFileSync(join(home, 'doctor.log'), r.stdout + r.stderr);
      expect(r.stdout).toContain(`✓ provider ${type}-upstream`);
      expect(r.stdout).toMatch(/✓ Claude Code, Anthropic SDKs +POST \/v1\/v1\/messages → \/v1\/messages/);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });
  }
});

it('has run at least one client', () => {
  expect(records.length).toBeGreaterThan(0);
});
