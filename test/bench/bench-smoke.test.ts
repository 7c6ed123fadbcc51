import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run bench -- --quick` against the built gateway (npm test builds first), so the benchmark
// never rots: every scenario must run and every request must be answered correctly. No timing is
// asserted — numbers from a few hundred milliseconds on a shared machine mean nothing.

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  target: string;
  label?: string;
  unsupported?: string;
  errors?: number;
  requests?: number;
  lost?: number;
  complete?: number;
  median?: number;
  ms?: number;
  name?: string;
}
interface Results {
  scenarios: Array<{ id: string; rows: Row[] }>;
  checks: Array<{ what: string; met: boolean }>;
  notes: string[];
}

function runQuick(out: string, more: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/run.mjs', '--quick', '--out', out, ...more], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('bench smoke (--quick)', () => {
  it('runs every scenario against the mock, the bare proxy and Switchyard', { timeout: 90_000 }, async () => {
    const out = join(dir, 'quick.json');
    const { code, output } = await runQuick(out);
    expect(code, output).toBe(0);
    expect(output).toContain('| Switchyard |');

    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    const ids = results.scenarios.map((s) => s.id);
    expect(ids).toEqual(['translate', 'cold-start', 'relay-c1', 'relay-c32', 'relay-stream', 'a2o', 'o2g', 'streams']);

    for (const s of results.scenarios) {
      if (s.id === 'translate') {
        expect(s.rows.length).toBeGreaterThan(5);
        for (const r of s.rows) expect(Number.isFinite(r.median), r.name).toBe(true);
        continue;
      }
      const sy = s.rows.find((r) => r.target === 'switchyard');
      expect(sy, `${s.id}: Switchyard row`).toBeDefined();
      expect(sy?.unsupported, `${s.id}: ${sy?.unsupported}`).toBeUndefined();
      if (s.id === 'cold-start') {
        for (const r of s.rows) expect(Number.isFinite(r.ms), `${s.id} ${r.target}`).toBe(true);
      } else if (s.id === 'streams') {
        for (const r of s.rows) {
          expect(r.lost, `${r.target}: lost streams`).toBe(0);
          expect(r.complete).toBeGreaterThan(0);
        }
      } else {
        // Every target that took part answered every request correctly.
        for (const r of s.rows.filter((x) => !x.unsupported)) {
          expect(r.errors, `${s.id} ${r.target}`).toBe(0);
          expect(r.requests, `${s.id} ${r.target}`).toBeGreaterThan(0);
        }
        expect(s.rows.map((r) => r.target)).toEqual(expect.arrayContaining(['direct', 'baseline', 'switchyard']));
      }
    }
    // The targets are evaluated (their outcome is not asserted: timings) and the peers' absence is said.
    expect(results.checks.length).toBeGreaterThan(0);
    expect(results.notes.join('\n')).toMatch(/peer gateways: skipped/);
  });

  it('adds a second Switchyard started with other Node flags, written as the usage line shows', { timeout: 60_000 }, async () => {
    const out = join(dir, 'compare.json');
    // A value that starts with a dash, as a separate argument (not `--compare-node-flags=…`).
    const { code, output } = await runQuick(out, ['--only', 'relay-c1', '--compare-node-flags', '--max-semi-space-size=32']);
    expect(code, output).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    const b = results.scenarios[0].rows.find((r) => r.target === 'switchyard-b');
    expect(b?.label).toBe('Switchyard B (--max-semi-space-size=32)');
    expect(b?.errors).toBe(0);
    expect(b?.requests).toBeGreaterThan(0);
  });
});
