import { useCallback, useEffect, useState } from 'react';
import { get, qs, type Provider, type RequestItem, type RequestPage, type UserKey } from '../api';
import { Badge, Card, Drawer, Empty, ErrorText, Switch, statusTone } from '../components/ui';
import { ms, num, time } from '../format';
import { useGet } from '../hooks';
import { useOnRequests } from '../live';
import { navigate, useLocation } from '../router';

const PAGE = 50;
const RANGES: Record<string, number | undefined> = { '1h': 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, all: undefined };
const DIALECTS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'none'];

interface Filters {
  status: string;
  model: string;
  provider: string;
  user_key: string;
  dialect: string;
  range: string;
}

export function Requests() {
  const { search } = useLocation();
  const [f, setF] = useState<Filters>({
    status: search.get('errors') === '1' ? 'errors' : '',
    model: '',
    provider: '',
    user_key: '',
    dialect: '',
    range: '24h',
  });
  const [model, setModel] = useState('');
  const [offset, setOffset] = useState(0);
  const [liveOn, setLiveOn] = useState(true);
  const [from, setFrom] = useState(() => Date.now());
  const openId = search.get('id');

  // Typing in the model box: wait for a pause.
  useEffect(() => {
    const t = window.setTimeout(() => setF((x) => (x.model === model ? x : { ...x, model })), 350);
    return () => window.clearTimeout(t);
  }, [model]);

  const span = RANGES[f.range];
  const query = qs({
    limit: PAGE,
    offset,
    errors: f.status === 'errors' ? 1 : undefined,
    status: f.status && f.status !== 'errors' ? f.status : undefined,
    model: f.model,
    provider: f.provider,
    user_key: f.user_key,
    dialect: f.dialect,
    from: span ? from - span : undefined,
  });
  const page = useGet<RequestPage>(`/api/requests${query}`);
  const providers = useGet<{ providers: Provider[] }>('/api/providers');
  const keys = useGet<{ keys: UserKey[] }>('/api/keys');
  useOnRequests(() => page.reload(), 1500, liveOn && offset === 0);

  const setFilter = <K extends keyof Filters>(k: K, v: Filters[K]) => {
    setOffset(0);
    setFrom(Date.now());
    setF((x) => ({ ...x, [k]: v }));
  };
  const open = (id: string) => navigate(`/ui/requests?id=${encodeURIComponent(id)}`);
  const close = useCallback(() => navigate('/ui/requests', true), []);
  const total = page.data?.total ?? 0;

  return (
    <div className="page">
      <Card>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter requests">
          <label>
            Status
            <select value={f.status} onChange={(e) => setFilter('status', e.target.value)}>
              <option value="">All</option>
              <option value="errors">Errors only</option>
              <option value="2xx">2xx</option>
              <option value="4xx">4xx</option>
              <option value="429">429</option>
              <option value="5xx">5xx</option>
            </select>
          </label>
          <label>
            Model
            <input type="search" value={model} onChange={(e) => setModel(e.target.value)} placeholder="requested or resolved" />
          </label>
          <label>
            Provider
            <select value={f.provider} onChange={(e) => setFilter('provider', e.target.value)}>
              <option value="">All</option>
              {providers.data?.providers.map((p) => (
                <option key={p.name}>{p.name}</option>
              ))}
            </select>
          </label>
          <label>
            User key
            <select value={f.user_key} onChange={(e) => setFilter('user_key', e.target.value)}>
              <option value="">All</option>
              {keys.data?.keys.map((k) => (
                <option key={k.id}>{k.name}</option>
              ))}
            </select>
          </label>
          <label>
            Dialect
            <select value={f.dialect} onChange={(e) => setFilter('dialect', e.target.value)}>
              <option value="">All</option>
              {DIALECTS.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <label>
            Time
            <select value={f.range} onChange={(e) => setFilter('range', e.target.value)}>
              <option value="1h">Last hour</option>
              <option value="24h">Last 24 hours</option>
              <option value="7d">Last 7 days</option>
              <option value="all">All</option>
            </select>
          </label>
          <div className="live-toggle">
            <span id="live-label">Live</span>
            <Switch checked={liveOn} onChange={setLiveOn} label="Show new requests as they arrive" />
          </div>
        </form>
      </Card>
      <ErrorText>{page.error}</ErrorText>
      <Card>
        {page.data && page.data.items.length === 0 ? (
          <Empty>No requests match. Send one through the gateway and it appears here.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table requests">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Status</th>
                  <th scope="col">Model</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Key</th>
                  <th scope="col" className="right">
                    Tokens in / out
                  </th>
                  <th scope="col" className="right">
                    Latency
                  </th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {page.data?.items.map((r) => (
                  <tr key={r.id} className="clickable" onClick={() => open(r.id)}>
                    <td className="nowrap">
                      <button type="button" className="link-button" onClick={(e) => (e.stopPropagation(), open(r.id))} aria-label={`Details of request ${r.id}`}>
                        {time(r.ts, f.range !== '1h')}
                      </button>
                    </td>
                    <td>
                      <Badge tone={statusTone(r.status)}>{r.status}</Badge>
                    </td>
                    <td className="mono">
                      {r.model_requested ?? <span className="muted">{r.path_resolved}</span>}
                      {r.model_resolved && r.model_resolved !== r.model_requested && <span className="muted"> → {r.model_resolved}</span>}
                    </td>
                    <td>{r.provider ?? <span className="muted">—</span>}</td>
                    <td>{r.user_key ?? <span className="muted">—</span>}</td>
                    <td className="right nowrap">
                      {r.input_tokens === null ? '—' : `${num(r.input_tokens)} / ${num(r.output_tokens)}`}
                    </td>
                    <td className="right nowrap">{ms(r.latency_ms)}</td>
                    <td className="error-cell">{r.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages">
          <span className="muted">
            {total === 0 ? '0' : `${offset + 1}–${Math.min(offset + PAGE, total)}`} of {num(total)}
          </span>
          <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            ← Newer
          </button>
          <button type="button" className="btn btn-small" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Older →
          </button>
        </nav>
      </Card>
      {openId && <RequestDetail id={openId} onClose={close} />}
    </div>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="kv">
      <dt>{label}</dt>
      <dd>{children ?? <span className="muted">—</span>}</dd>
    </div>
  );
}

export function RequestDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const [r, setR] = useState<RequestItem>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setR(undefined);
    get<RequestItem>(`/api/requests/${encodeURIComponent(id)}`).then(setR, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [id]);
  return (
    <Drawer title="Request details" onClose={onClose}>
      <ErrorText>{error}</ErrorText>
      {!r && !error && <p className="muted">Loading…</p>}
      {r && (
        <>
          <div className="detail-head">
            <Badge tone={statusTone(r.status)}>{r.status}</Badge> <span className="mono">{r.method}</span> <span>{time(r.ts, true)}</span>
          </div>
          {r.error && (
            <div className="detail-error" role="note">
              <b>Error:</b> {r.error}
            </div>
          )}
          <h3>Paths</h3>
          <dl className="kvs">
            <Row label="Sent">
              <code>{r.path_sent}</code>
            </Row>
            <Row label="Resolved">
              <code>{r.path_resolved}</code>
            </Row>
            <Row label="Route">{r.route}</Row>
            <Row label="Client dialect">{r.dialect}</Row>
          </dl>
          <h3>Model and upstream</h3>
          <dl className="kvs">
            <Row label="Requested">{r.model_requested && <code>{r.model_requested}</code>}</Row>
            <Row label="Resolved">{r.model_resolved && <code>{r.model_resolved}</code>}</Row>
            <Row label="Provider">{r.provider}</Row>
            <Row label="Credential">{r.credential && <code>{r.credential}</code>}</Row>
            <Row label="Translated">{r.translated === null ? null : r.translated ? 'yes' : 'no (relayed as sent)'}</Row>
            <Row label="Stream">{r.stream === null ? null : r.stream ? 'yes' : 'no'}</Row>
          </dl>
          <h3>Attempts{r.attempts !== null ? ` (${r.attempts})` : ''}</h3>
          {r.attempt_log && r.attempt_log.length > 0 ? (
            <ol className="attempts">
              {r.attempt_log.map((a, i) => (
                <li key={i} className={a.ok ? 'ok' : 'failed'}>
                  <span>
                    <b>{a.provider}</b> <code>{a.credential}</code> <span className="mono">{a.model}</span>
                  </span>
                  <span>
                    {a.ok ? <Badge tone="ok">answered {a.status}</Badge> : <Badge tone={a.status === 429 ? 'warn' : 'err'}>{a.status ?? 'failed'}</Badge>} {ms(a.ms)}
                  </span>
                  {a.reason && <span className="reason">{a.reason}</span>}
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted small">{r.attempts ? `${r.attempts} attempt(s).` : 'No upstream attempt (answered by Switchyard itself).'}</p>
          )}
          <h3>Tokens</h3>
          <dl className="kvs">
            <Row label="Input">{num(r.input_tokens)}</Row>
            <Row label="Output">{num(r.output_tokens)}</Row>
            <Row label="Cached">{num(r.cached_tokens)}</Row>
            <Row label="Reasoning">{num(r.reasoning_tokens)}</Row>
            {r.cache_creation_tokens !== undefined && <Row label="Cache writes">{num(r.cache_creation_tokens)}</Row>}
            {r.usage_estimated && <Row label="Estimated">yes</Row>}
          </dl>
          <h3>Timings</h3>
          <dl className="kvs">
            <Row label="Total">{ms(r.latency_ms)}</Row>
            <Row label="First byte">{ms(r.ttfb_ms)}</Row>
          </dl>
          <h3>Client</h3>
          <dl className="kvs">
            <Row label="User key">{r.user_key}</Row>
            <Row label="Address">{r.client_address}</Row>
            <Row label="User agent">{r.user_agent}</Row>
            <Row label="Request id">
              <code>{r.id}</code>
            </Row>
          </dl>
          {(r.request_body || r.response_body) && (
            <>
              <h3>Bodies</h3>
              {r.request_body && (
                <details>
                  <summary>Request body</summary>
                  <pre className="body">{r.request_body}</pre>
                </details>
              )}
              {r.response_body && (
                <details>
                  <summary>Response body</summary>
                  <pre className="body">{r.response_body}</pre>
                </details>
              )}
            </>
          )}
        </>
      )}
    </Drawer>
  );
}
