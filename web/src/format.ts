// Small pure helpers for the console (unit-tested in format.test.ts).

const nf = new Intl.NumberFormat('en-US');

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : nf.format(n);
}

/** 1234 → "1.2k", 2_500_000 → "2.5M". */
export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 1e6) return `${trim(n / 1e3)}k`;
  if (a < 1e9) return `${trim(n / 1e6)}M`;
  return `${trim(n / 1e9)}B`;
}

function trim(x: number): string {
  return (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)).replace(/\.0$/, '');
}

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
}

/** Seconds left as "42s", "3m 05s", "1h 02m". */
export function countdown(untilMs: number, now: number): string {
  const s = Math.max(0, Math.ceil((untilMs - now) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function time(ts: number | string, withDate = false): string {
  const d = new Date(ts);
  const t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (!withDate) return t;
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${t}`;
}

export function ago(ts: number, now: number): string {
  const s = Math.round((now - ts) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}mb`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}kb`;
  return `${n}b`;
}

/** "a, b\nc" → ["a", "b", "c"] (commas or new lines, blanks dropped). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Start of today (local midnight), unix ms. */
export function todayStart(now = Date.now()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export interface MappingRow {
  from: string;
  to: string;
}

/** Problems with a mapping draft, per row (index → message), as the server would refuse it. */
export function mappingProblems(rows: MappingRow[]): Map<number, string> {
  const out = new Map<number, string>();
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const from = r.from.trim();
    const to = r.to.trim();
    if (!from) out.set(i, 'the requested model (left) is empty');
    else if (!to) out.set(i, 'the target model (right) is empty');
    else if (seen.has(from)) out.set(i, `"${from}" is mapped twice (row ${(seen.get(from) ?? 0) + 1})`);
    else {
      const m = /^\/(.+)\/([imsu]*)$/.exec(from);
      if (m) {
        try {
          new RegExp(m[1], m[2]);
        } catch (err) {
          out.set(i, `not a valid regular expression: ${(err as Error).message}`);
        }
      }
    }
    if (from) seen.set(from, seen.get(from) ?? i);
  });
  return out;
}

/**
 * Stacked bar data for a chart: buckets (x) and one cumulative series per group, largest group first;
 * groups past `top` are summed as "other".
 */
export function stackSeries(
  series: Array<{ t: number; key?: string } & Record<string, number | string | null | undefined>>,
  value: (p: Record<string, unknown>) => number,
  top = 6,
): { xs: number[]; keys: string[]; values: number[][]; stacked: number[][] } {
  const xs = [...new Set(series.map((p) => p.t))].sort((a, b) => a - b);
  const totals = new Map<string, number>();
  for (const p of series) totals.set(p.key ?? 'all', (totals.get(p.key ?? 'all') ?? 0) + value(p));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const keys = ranked.length > top ? [...ranked.slice(0, top), 'other'] : ranked;
  const index = new Map(xs.map((t, i) => [t, i]));
  const values = keys.map(() => xs.map(() => 0));
  for (const p of series) {
    const k = p.key ?? 'all';
    let g = keys.indexOf(k);
    if (g < 0) g = keys.length - 1;
    values[g][index.get(p.t) ?? 0] += value(p);
  }
  const stacked = values.map((_, g) => xs.map((_, i) => values.slice(g).reduce((a, v) => a + v[i], 0)));
  return { xs, keys, values, stacked };
}
