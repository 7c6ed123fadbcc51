// Per-run records and the matrix printed at the end of the suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_DIR } from './paths.js';
import type { SeenRequest } from './stack.js';

export interface CaseRecord {
  client: string;
  version: string;
  upstream: string;
  kind: 'one-shot' | 'tool' | 'wrong-base';
  pass: boolean;
  exitCode: number | null;
  ms: number;
  /** What the client sent to the gateway. */
  requests: SeenRequest[];
  /** How many requests reached the upstream. */
  upstreamRequests: number;
  failure?: string;
  note?: string;
}

export const records: CaseRecord[] = [];

function cell(r: CaseRecord | undefined): string {
  if (!r) return '—';
  return `${r.pass ? 'pass' : 'FAIL'} (${r.requests.length} req)`;
}

export function renderMatrix(versions: Record<string, string>, netns: string): string {
  const clients = [...new Set(records.map((r) => r.client))];
  const upstreams = ['openai', 'anthropic', 'gemini'];
  const header = ['client', 'version', ...upstreams.flatMap((u) => [`${u} one-shot`, `${u} tool`]), 'wrong base URL'];
  const rows = clients.map((c) => {
    const find = (u: string | undefined, k: CaseRecord['kind']) => records.find((r) => r.client === c && r.kind === k && (u === undefined || r.upstream === u));
    return [c, versions[c] ?? '?', ...upstreams.flatMap((u) => [cell(find(u, 'one-shot')), cell(find(u, 'tool'))]), cell(find(undefined, 'wrong-base'))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => '| ' + cols.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const passed = records.filter((r) => r.pass).length;
  return [
    `E2E matrix — ${netns}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `${passed} passed, ${records.length - passed} failed`,
  ].join('\n');
}

export function writeResults(versions: Record<string, string>, netns: string): string {
  mkdirSync(WORK_DIR, { recursive: true });
  const matrix = renderMatrix(versions, netns);
  writeFileSync(join(WORK_DIR, 'matrix.json'), JSON.stringify({ netns, versions, records }, null, 2));
  writeFileSync(join(WORK_DIR, 'matrix.txt'), matrix + '\n');
  return matrix;
}
