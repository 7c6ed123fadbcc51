// The `switchyard` command as a user runs it: the built bin, not a TS loader.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../dist/cli/main.js');
const PKG = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHYARD_') && k !== 'API_KEY'));

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...cleanEnv, ...env }, timeout: 10_000 });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts `switchyard serve` and resolves with its banner once it is listening. */
function serve(args: string[]): Promise<{ child: ChildProcess; banner: string; url: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...cleanEnv, SWITCHYARD_LOG_FORMAT: 'json' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Gemini SDKs')) resolve({ child, banner: out, url: m[1] });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe('switchyard CLI', () => {
  it('--version and --help', () => {
    expect(run(['--version']).stdout.trim()).toBe(PKG.version);
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('switchyard [serve] [--config FILE] [--port N] [--host H] [--data-dir DIR]');
  });

  it('an unknown flag or command exits 2 with advice', () => {
    const r = run(['--prot', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Run 'switchyard --help'");
    expect(run(['launch']).status).toBe(2);
  });

  it('a bad config exits 2 naming the key, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    writeFileSync(join(dir, 'config.yaml'), 'port: 80800\nproviders:\n  - {name: a, type: openai}\n');
    const r = run(['--data-dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('port:');
    expect(r.stderr).toContain('providers[0].api_keys');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('serves, prints the banner with base URLs per client, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    writeFileSync(
      join(dir, 'config.yaml'),
      'auth_mode: strict\nproviders:\n  - {name: main, type: openai, api_keys: [sk-upstream-abcdefgh1234], models: ["gpt-*"]}\n',
    );
    const { child, banner, url } = await serve(['--data-dir', dir, '--port', '0']);
    expect(banner).toContain('auth mode: strict');
    expect(banner).toMatch(/API key \(generated, saved in .*api_key\): sk-sy-/);
    expect(banner).toContain('main (openai, 1 key) https://api.openai.com/v1 → gpt-*');
    expect(banner).toContain(`${url}/v1`);
    expect(banner).not.toContain('sk-upstream-abcdefgh1234');
    const key = readFileSync(join(dir, 'api_key'), 'utf8').trim();
    expect(banner).toContain(key);
    const health = await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${key}` } });
    expect(await health.json()).toMatchObject({ status: 'ok', version: PKG.version });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Log lines wait in a batch for up to 100 ms; the ones still waiting are written at exit.
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', path: '/healthz', status: 200 }));
  });

  it('says plainly when the port is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    const { url } = await serve(['--data-dir', dir, '--port', '0']);
    const port = new URL(url).port;
    const r = run(['--data-dir', dir, '--port', port]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`port ${port}`);
    expect(r.stderr).toContain('already in use');
  });
});
