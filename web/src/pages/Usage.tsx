import { useMemo, useState } from 'react';
import { qs, type Stats } from '../api';
import { BarChart } from '../components/Chart';
import { Card, Empty, ErrorText } from '../components/ui';
import { compact, ms, num, stackSeries } from '../format';
import { useGet } from '../hooks';
import { useOnRequests } from '../live';
import { PALETTE } from '../theme';

const RANGES = {
  '24h': { label: 'Last 24 hours', span: 86_400_000, bucket: 'hour' as const },
  '7d': { label: 'Last 7 days', span: 7 * 86_400_000, bucket: 'day' as const },
  '30d': { label: 'Last 30 days', span: 30 * 86_400_000, bucket: 'day' as const },
};
const GROUPS = { model: 'Model (requested)', upstream_model: 'Model (sent upstream)', provider: 'Provider', user_key: 'User key', credential: 'Credential', dialect: 'Client dialect' };
const METRICS = {
  tokens: { label: 'Tokens (in + out)', value: (p: Record<string, unknown>) => Number(p.input_tokens ?? 0) + Number(p.output_tokens ?? 0) },
  input_tokens: { label: 'Input tokens', value: (p: Record<string, unknown>) => Number(p.input_tokens ?? 0) },
  output_tokens: { label: 'Output tokens', value: (p: Record<string, unknown>) => Number(p.output_tokens ?? 0) },
  requests: { label: 'Requests', value: (p: Record<string, unknown>) => Number(p.requests ?? 0) },
  errors: { label: 'Errors', value: (p: Record<string, unknown>) => Number(p.errors ?? 0) },
};

function groupName(key: string, group: string): string {
  if (key === 'null' || key === '') return group === 'user_key' ? '(no user key)' : '(none)';
  return key;
}

export function Usage() {
  const [range, setRange] = useState<keyof typeof RANGES>('24h');
  const [group, setGroup] = useState<keyof typeof GROUPS>('model');
  const [metric, setMetric] = useState<keyof typeof METRICS>('tokens');
  const [to, setTo] = useState(() => Date.now() + 1);
  const r = RANGES[range];
  const stats = useGet<Stats>(`/api/stats${qs({ from: to - r.span, to, bucket: r.bucket, group_by: group })}`);
  useOnRequests(() => setTo(Date.now() + 1), 10_000);

  const chart = useMemo(() => {
    const series = stats.data?.series ?? [];
    // Every bucket of the range, so empty hours show as gaps, not as missing bars.
    const size = r.bucket === 'day' ? 86_400_000 : 3_600_000;
    const first = Math.floor((to - r.span) / size) * size;
    const filled = [...series];
    for (let t = first; t < to; t += size) if (!series.some((p) => p.t === t)) filled.push({ t, key: series[0]?.key ?? 'none', requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0, latency_ms_avg: 0, latency_ms_max: 0, ttfb_ms_avg: null });
    const s = stackSeries(filled as never, METRICS[metric].value, 6);
    return {
      xs: s.xs,
      series: s.keys.map((k, i) => ({ label: groupName(k, group), values: s.stacked[i], own: s.values[i], color: PALETTE[i % PALETTE.length] })),
    };
  }, [stats.data, metric, group, r, to]);

  const t = stats.data?.totals;
  return (
    <div className="page">
      <Card>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Usage view">
          <label>
            Range
            <select value={range} onChange={(e) => (setRange(e.target.value as keyof typeof RANGES), setTo(Date.now() + 1))}>
              {Object.entries(RANGES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Group by
            <select value={group} onChange={(e) => setGroup(e.target.value as keyof typeof GROUPS)}>
              {Object.entries(GROUPS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            Show
            <select value={metric} onChange={(e) => setMetric(e.target.value as keyof typeof METRICS)}>
              {Object.entries(METRICS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
        </form>
      </Card>
      <ErrorText>{stats.error}</ErrorText>
      <div className="stats-row">
        <div className="stat">
          <div className="stat-label">Requests</div>
          <div className="stat-value">{num(t?.requests)}</div>
          <div className="stat-sub">{t ? `${num(t.errors)} errors` : ''}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Input tokens</div>
          <div className="stat-value">{compact(t?.input_tokens)}</div>
          <div className="stat-sub">{t ? `${compact(t.cached_tokens)} cached` : ''}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Output tokens</div>
          <div className="stat-value">{compact(t?.output_tokens)}</div>
          <div className="stat-sub">{t ? `${compact(t.reasoning_tokens)} reasoning` : ''}</div>
        </div>
        <div className="stat">
          <div className="stat-label">Average latency</div>
          <div className="stat-value">{t ? ms(t.latency_ms_avg) : '—'}</div>
          <div className="stat-sub">{t?.ttfb_ms_avg ? `first byte ${ms(t.ttfb_ms_avg)}` : ''}</div>
        </div>
      </div>
      <Card title={`${METRICS[metric].label} per ${r.bucket} by ${GROUPS[group].toLowerCase()}`}>
        {stats.data && stats.data.series.length === 0 ? (
          <Empty>Nothing in this range yet.</Empty>
        ) : (
          <BarChart xs={chart.xs} series={chart.series} bucket={r.bucket} label={`${METRICS[metric].label} per ${r.bucket}, stacked by ${GROUPS[group]}`} height={260} />
        )}
      </Card>
      <Card title={`By ${GROUPS[group].toLowerCase()}`}>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{GROUPS[group]}</th>
                <th scope="col" className="right">
                  Requests
                </th>
                <th scope="col" className="right">
                  Errors
                </th>
                <th scope="col" className="right">
                  Input
                </th>
                <th scope="col" className="right">
                  Output
                </th>
                <th scope="col" className="right">
                  Cached
                </th>
                <th scope="col" className="right">
                  Avg latency
                </th>
              </tr>
            </thead>
            <tbody>
              {stats.data?.groups.map((g) => (
                <tr key={g.key}>
                  <td className="mono">{groupName(g.key, group)}</td>
                  <td className="right">{num(g.requests)}</td>
                  <td className="right">{num(g.errors)}</td>
                  <td className="right">{num(g.input_tokens)}</td>
                  <td className="right">{num(g.output_tokens)}</td>
                  <td className="right">{num(g.cached_tokens)}</td>
                  <td className="right">{ms(g.latency_ms_avg)}</td>
                </tr>
              ))}
              {stats.data?.groups.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    Nothing in this range yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
