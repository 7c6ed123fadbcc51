// `switchyard setup` and `switchyard doctor` through the built bin (npm test builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = new URL('../../../dist/cli/main.js', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function run(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args, '--data-dir', home], { env: { PATH: process.env.PATH, HOME: home }, encoding: 'utf8', timeout: 20_000 });
}

describe('switchyard bin', () => {
  it('setup prints the client config', () => {
    const r = run('setup', 'codex', '--url', 'http://127.0.0.1:9', '--key', 'sk-k');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('base_url = "http://127.0.0.1:9/v1"');
  });

  it('doctor says when nothing listens (exit 1), and both commands have help', () => {
    const r = run('doctor', 'http://127.0.0.1:9', '--timeout', '2');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('✗ reachable');
    expect(run('setup', '--help').stdout).toContain('Usage: switchyard setup <client>');
    expect(run('doctor', '--help').stdout).toContain('Usage: switchyard doctor [BASE_URL]');
    expect(spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout).toContain('switchyard setup <client>');
  });
});
