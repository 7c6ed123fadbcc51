import { useMemo } from 'react';
import { qs, type MinutePoint, type PoolProvider, type Provider, type RequestPage, type SessionInfo, type Stats } from '../api';
import { BarChart } from '../components/Chart';
import { Badge, Card, CopyButton, Empty, Stat, statusTone } from '../components/ui';
import { compact, num, time, todayStart } from '../format';
import { useGet } from '../hooks';
import { useLive, useOnRequests } from '../live';
import { linkProps } from '../router';

export interface PoolHealth {
  healthy: number;
  cooling: number;
  disabled: number;
}

/** Healthy / cooling (cooldown, also for some models only; open or half-open circuit) / disabled (invalid, disabled, or switched off). */
export function poolHealth(providers: Provider[] | undefined, pool: PoolProvider[] | undefined, now = Date.now()): PoolHealth & { byProvider: Map<string, PoolHealth> } {
  const byProvider = new Map<string, PoolHealth>();
  const total: PoolHealth = { healthy: 0, cooling: 0, disabled: 0 };
  for (const p of providers ?? []) {
    const h: PoolHealth = { healthy: 0, cooling: 0, disabled: 0 };
    const live = pool?.find((x) => x.name === p.name);
    const enabled = p.credentials.filter((c) => c.enabled);
    for (const c of p.credentials) {
      if (!p.enabled || !c.enabled) {
        h.disabled++;
        continue;
      }
      const snap = live?.credentials[enabled.indexOf(c)];
      const state = snap?.status ?? 'healthy';
      const cooling = Object.values(snap?.modelCooldowns ?? {}).some((until) => until > now);
      if (state === 'healthy' && !cooling) h.healthy++;
      else if (state === 'invalid' || state === 'disabled') h.disabled++;
      else h.cooling++;
    }
    byProvider.set(p.name, h);
    total.healthy += h.healthy;
    total.cooling += h.cooling;
    total.disabled += h.disabled;
  }
  return { ...total, byProvider };
}

const CLIENTS = [
  { family: 'OpenAI-compatible', who: 'OpenAI SDKs, Codex CLI, opencode, Kilo, Cherry Studio', key: 'openai' as const, env: 'OPENAI_BASE_URL' },
  { family: 'Anthropic', who: 'Claude Code, Anthropic SDKs', key: 'anthropic' as const, env: 'ANTHROPIC_BASE_URL' },
  { family: 'Gemini', who: 'Gemini CLI, Google Gen AI SDK', key: 'gemini' as const, env: 'GOOGLE_GEMINI_BASE_URL' },
];

export function Dashboard({ session }: { session: SessionInfo }) {
  const live = useLive();
  const minutes = useGet<{ minutes: MinutePoint[] }>('/api/stats/minutes?minutes=60');
  const today = useMemo(() => todayStart(), []);
  const tokens = useGet<Stats>(`/api/stats${qs({ from: today, group_by: 'model' })}`);
  const errors = useGet<RequestPage>('/api/requests?errors=1&limit=6');
  const providers = useGet<{ providers: Provider[] }>('/api/providers');

  useOnRequests(() => minutes.reload(), 2000);
  useOnRequests((b) => {
    if (b.items.some((i) => i.status >= 400 || i.error)) errors.reload();
  }, 2000);
  useOnRequests(() => tokens.reload(), 5000);

  const m = minutes.data?.minutes ?? [];
  const lastHour = m.reduce((a, p) => ({ requests: a.requests + p.requests, errors: a.errors + p.errors }), { requests: 0, errors: 0 });
  const chart = useMemo(() => {
    const pts = minutes.data?.minutes ?? [];
    return {
      xs: pts.map((p) => p.t),
      series: [
        { label: 'Requests', values: pts.map((p) => p.requests), color: '--c1' },
        { label: 'Errors', values: pts.map((p) => p.errors), color: '--err' },
      ],
    };
  }, [minutes.data]);
  const health = poolHealth(providers.data?.providers, live.pool);
  const t = tokens.data;
  const tokenGroups = (t?.groups ?? []).filter((g) => g.input_tokens + g.output_tokens > 0).sort((a, b) => b.input_tokens + b.output_tokens - (a.input_tokens + a.output_tokens));
  const maxTokens = Math.max(1, ...tokenGroups.map((g) => g.input_tokens + g.output_tokens));
  const noProviders = providers.data && providers.data.providers.length === 0;
  const urls = session.base_urls ?? { openai: `${location.origin}/v1`, anthropic: location.origin, gemini: location.origin };

  return (
    <div className="page">
      {noProviders && (
        <Card className="callout">
          <h2>Add your first provider</h2>
          <p>Switchyard relays each request to a provider: OpenAI (or any OpenAI-compatible server), Anthropic or Gemini, with your API keys.</p>
          <a className="btn btn-primary" {...linkProps('/ui/providers?add=1')}>
            Add a provider
          </a>
        </Card>
      )}
      <div className="stats-row">
        <Stat label="Requests, last hour" value={num(lastHour.requests)} />
        <Stat
          label="Errors, last hour"
          value={num(lastHour.errors)}
          tone={lastHour.errors > 0 ? 'err' : undefined}
          sub={lastHour.requests > 0 ? `${((lastHour.errors / lastHour.requests) * 100).toFixed(1)} % of requests` : undefined}
        />
        <Stat
          label="Tokens today"
          value={compact(t ? t.totals.input_tokens + t.totals.output_tokens : null)}
          sub={t ? `${compact(t.totals.input_tokens)} in · ${compact(t.totals.output_tokens)} out` : undefined}
        />
        <Stat
          label="Credentials"
          value={
            <span className="health">
              <span className="h-ok">{health.healthy}</span> / <span className="h-warn">{health.cooling}</span> / <span className="h-err">{health.disabled}</span>
            </span>
          }
          sub="healthy / cooling / disabled"
        />
      </div>

      <div className="grid-2">
        <Card title="Requests per minute" actions={<span className="muted small">last 60 minutes</span>}>
          {minutes.error ? <p className="error-text">{minutes.error}</p> : <BarChart xs={chart.xs} series={chart.series} bucket="minute" label="Requests and errors per minute, last hour" height={200} />}
        </Card>
        <Card title="Tokens today by model" actions={<a {...linkProps('/ui/usage')}>Usage →</a>}>
          {t && tokenGroups.length === 0 && <Empty>No tokens yet today.</Empty>}
          <ul className="bars">
            {tokenGroups.slice(0, 8).map((g) => (
              <li key={g.key}>
                <div className="bar-label">
                  <span className="mono">{g.key === 'null' ? '(no model)' : g.key}</span>
                  <span>
                    {compact(g.input_tokens)} in · {compact(g.output_tokens)} out
                  </span>
                </div>
                <div className="bar-track" aria-hidden="true">
                  <div className="bar-fill" style={{ width: `${((g.input_tokens + g.output_tokens) / maxTokens) * 100}%` }} />
                </div>
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <div className="grid-2">
        <Card title="Pool health" actions={<a {...linkProps('/ui/providers')}>Providers →</a>}>
          {providers.data?.providers.length === 0 && <Empty>No providers yet.</Empty>}
          <ul className="plain-list">
            {(providers.data?.providers ?? []).map((p) => {
              const h = health.byProvider.get(p.name) ?? { healthy: 0, cooling: 0, disabled: 0 };
              return (
                <li key={p.name} className="row-between">
                  <span>
                    <b>{p.name}</b> <Badge>{p.type}</Badge> {!p.enabled && <Badge tone="muted">disabled</Badge>}
                  </span>
                  <span className="health small">
                    <span className="h-ok">{h.healthy} healthy</span> · <span className="h-warn">{h.cooling} cooling</span> · <span className="h-err">{h.disabled} disabled</span>
                  </span>
                </li>
              );
            })}
          </ul>
        </Card>
        <Card title="Recent errors" actions={<a {...linkProps('/ui/requests?errors=1')}>All errors →</a>}>
          {errors.data && errors.data.items.length === 0 && <Empty>No errors. </Empty>}
          <ul className="plain-list errors-list">
            {(errors.data?.items ?? []).map((r) => (
              <li key={r.id}>
                <a {...linkProps(`/ui/requests?id=${encodeURIComponent(r.id)}`)} className="error-link">
                  <span className="row-between">
                    <span>
                      <Badge tone={statusTone(r.status)}>{r.status}</Badge> <span className="mono">{r.model_requested ?? r.path_resolved}</span>
                    </span>
                    <span className="muted small">{time(r.ts)}</span>
                  </span>
                  <span className="error-reason">{r.error ?? `HTTP ${r.status}`}</span>
                </a>
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <Card title="Connect your clients">
        <p className="muted">
          {session.auth_mode === 'off'
            ? 'Auth is off (Switchyard listens on this machine only): any API key works.'
            : (
              <>
                Clients need a key: <a {...linkProps('/ui/keys')}>create a user key</a> and use it as the client's API key.
              </>
            )}
        </p>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Client family</th>
                <th scope="col">Base URL</th>
                <th scope="col">
                  <span className="visually-hidden">Copy</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {CLIENTS.map((c) => (
                <tr key={c.family}>
                  <td>
                    <b>{c.family}</b>
                    <div className="muted small hide-phone">{c.who}</div>
                  </td>
                  <td>
                    <code className="url">{urls[c.key]}</code>
                    <div className="muted small mono">{c.env}</div>
                  </td>
                  <td className="right">
                    <CopyButton text={urls[c.key]} label={`Copy ${c.family} base URL`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
