import { useEffect, useState, type FormEvent } from 'react';
import { api, type Credential, type PoolCredential, type PoolProvider, type Provider, type TestResult } from '../api';
import { Badge, Card, Empty, ErrorText, Field, Modal, Switch, type Tone } from '../components/ui';
import { countdown, ms, splitList } from '../format';
import { useAction, useGet, useNow } from '../hooks';
import { useLive, useOnRequests } from '../live';
import { navigate, useLocation } from '../router';

const TYPES = ['openai', 'anthropic', 'gemini'] as const;
const DEFAULT_URLS: Record<string, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};
const STRATEGIES = ['round-robin', 'least-in-flight', 'fill-first', 'sticky'];

const STATE_TONE: Record<string, Tone> = { healthy: 'ok', cooling: 'warn', open: 'err', half_open: 'warn', invalid: 'err', disabled: 'err' };
const STATE_LABEL: Record<string, string> = {
  healthy: 'healthy',
  cooling: 'cooling',
  open: 'circuit open',
  half_open: 'half-open',
  invalid: 'invalid',
  disabled: 'disabled',
};

export function Providers() {
  const list = useGet<{ providers: Provider[] }>('/api/providers');
  const { search } = useLocation();
  const [editing, setEditing] = useState<Provider | 'new' | undefined>(search.get('add') === '1' ? 'new' : undefined);
  const live = useLive();
  // States arrive live when they change; the per-key counters are refreshed as requests finish.
  const pool = useGet<{ providers: PoolProvider[] }>('/api/pool');
  const reloadPool = pool.reload;
  useEffect(() => reloadPool(), [live.pool, reloadPool]);
  useOnRequests(() => reloadPool(), 3000);
  const poolOf = (name: string) => (pool.data?.providers ?? live.pool)?.find((x) => x.name === name)?.credentials;

  const close = () => {
    setEditing(undefined);
    if (search.get('add')) navigate('/ui/providers', true);
  };

  return (
    <div className="page">
      <div className="page-actions">
        <p className="muted">Providers are tried in this order (lower priority first). Keys are stored encrypted and shown masked.</p>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          Add provider
        </button>
      </div>
      {list.error && <ErrorText>{list.error}</ErrorText>}
      {list.data?.providers.length === 0 && (
        <Empty>
          No providers yet. Add one with its API keys — OpenAI (or any OpenAI-compatible server such as OpenRouter, DeepSeek or a local model server), Anthropic or Gemini.
        </Empty>
      )}
      {list.data?.providers.map((p) => (
        <ProviderCard
          key={p.name}
          provider={p}
          pool={poolOf(p.name)}
          skew={live.skew}
          onChanged={() => (list.reload(), reloadPool())}
          onEdit={() => setEditing(p)}
        />
      ))}
      <ProviderForm
        open={editing !== undefined}
        provider={editing === 'new' ? undefined : editing}
        onClose={close}
        onSaved={() => {
          close();
          list.reload();
        }}
      />
    </div>
  );
}

function ProviderCard({
  provider: p,
  pool,
  skew,
  onChanged,
  onEdit,
}: {
  provider: Provider;
  pool: PoolCredential[] | undefined;
  skew: number;
  onChanged: () => void;
  onEdit: () => void;
}) {
  const act = useAction();
  const [tests, setTests] = useState<Map<number, TestResult>>(new Map());
  const [newKey, setNewKey] = useState('');
  const now = useNow(1000) + skew;
  const base = `/api/providers/${encodeURIComponent(p.name)}`;
  const enabledCreds = p.credentials.filter((c) => c.enabled);

  const change = async (fn: () => Promise<unknown>) => {
    const ok = await act.run(fn);
    onChanged();
    return ok;
  };
  const testAll = () =>
    act.run(async () => {
      const r = await api<{ results: TestResult[] }>('POST', `${base}/test`);
      setTests(new Map(r.results.map((x) => [x.credential_id, x])));
    });
  const testOne = (c: Credential) =>
    act.run(async () => {
      const r = await api<TestResult>('POST', `${base}/credentials/${c.id}/test`);
      setTests((m) => new Map(m).set(c.id, r));
    });
  const addKey = async (e: FormEvent) => {
    e.preventDefault();
    if (!newKey.trim()) return;
    const done = await change(() => api('POST', `${base}/credentials`, { key: newKey.trim() }));
    if (done !== undefined) setNewKey('');
  };
  const remove = () => {
    if (!window.confirm(`Delete provider "${p.name}" and its ${p.credentials.length} key(s)?`)) return;
    void change(() => api('DELETE', base));
  };

  return (
    <Card
      className="provider"
      title={
        <span className="provider-title">
          {p.name} <Badge tone="info">{p.type}</Badge> {!p.enabled && <Badge tone="muted">disabled</Badge>}
          {p.origin === 'config' && (
            <Badge tone="muted" title="Came from the config file; edits here are kept until the file changes this provider">
              from config
            </Badge>
          )}
        </span>
      }
      actions={
        <>
          <Switch checked={p.enabled} label={`Provider ${p.name} enabled`} onChange={(v) => void change(() => api('PATCH', base, { enabled: v }))} />
          <button type="button" className="btn btn-small" onClick={() => void testAll()} disabled={act.busy || enabledCreds.length === 0}>
            Test
          </button>
          <button type="button" className="btn btn-small" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="btn btn-small btn-danger" onClick={remove}>
            Delete
          </button>
        </>
      }
    >
      <dl className="facts">
        <div>
          <dt>Base URL</dt>
          <dd className="mono">{p.base_url ?? DEFAULT_URLS[p.type]}</dd>
        </div>
        <div>
          <dt>Models</dt>
          <dd className="mono">{p.models && p.models.length > 0 ? p.models.join(', ') : 'any model'}</dd>
        </div>
        <div>
          <dt>Routing</dt>
          <dd>
            priority {p.priority ?? `${p.position} (position)`} · weight {p.weight ?? 1} · {p.strategy ?? 'round-robin'}
            {p.type === 'openai' && p.responses ? ' · Responses API' : ''}
          </dd>
        </div>
      </dl>
      <ErrorText>{act.error}</ErrorText>
      <div className="table-wrap">
        <table className="table creds">
          <caption className="visually-hidden">Keys of {p.name}</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">On</th>
              <th scope="col">State</th>
              <th scope="col">Requests</th>
              <th scope="col">Test</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.credentials.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No keys yet: add one below.
                </td>
              </tr>
            )}
            {p.credentials.map((c) => {
              const idx = enabledCreds.indexOf(c);
              const s = idx >= 0 && p.enabled ? pool?.[idx] : undefined;
              const t = tests.get(c.id);
              return (
                <tr key={c.id}>
                  <td className="mono">{c.key}</td>
                  <td>
                    <Switch checked={c.enabled} label={`Key ${c.key} enabled`} onChange={(v) => void change(() => api('PATCH', `${base}/credentials/${c.id}`, { enabled: v }))} />
                  </td>
                  <td>
                    {!c.enabled || !p.enabled ? (
                      <Badge tone="muted">switched off</Badge>
                    ) : s ? (
                      <CredentialState s={s} now={now} />
                    ) : (
                      <Badge tone="muted">—</Badge>
                    )}
                  </td>
                  <td className="small">{s ? `${s.successes} ok · ${s.failures} failed${s.inFlight ? ` · ${s.inFlight} running` : ''}` : '—'}</td>
                  <td className="small test-cell">
                    {t ? (
                      t.ok ? (
                        <span className="ok-text">
                          ✓ {t.status} in {ms(t.latency_ms)}
                          {t.models !== undefined ? `, ${t.models} models` : ''}
                        </span>
                      ) : (
                        <span className="err-text">
                          ✗ {t.status ? `${t.status}: ` : ''}
                          {t.error}
                        </span>
                      )
                    ) : (
                      <span className="muted">not tested</span>
                    )}
                  </td>
                  <td className="actions-cell">
                    <button type="button" className="btn btn-small" disabled={act.busy || !c.enabled} onClick={() => void testOne(c)} aria-label={`Test key ${c.key}`}>
                      Test
                    </button>
                    {s && (s.status !== 'healthy' || Object.values(s.modelCooldowns ?? {}).some((u) => u > now)) && (
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => void change(() => api('POST', '/api/pool/reset', { provider: p.name, index: s.index }))}
                        aria-label={`Reset key ${c.key}`}
                      >
                        Reset
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={`Delete key ${c.key}`}
                      onClick={() => window.confirm(`Delete key ${c.key} of ${p.name}?`) && void change(() => api('DELETE', `${base}/credentials/${c.id}`))}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <form className="inline-form" onSubmit={(e) => void addKey(e)}>
        <label htmlFor={`newkey-${p.name}`} className="visually-hidden">
          New API key for {p.name}
        </label>
        <input
          id={`newkey-${p.name}`}
          type="password"
          autoComplete="off"
          placeholder="Paste another API key"
          value={newKey}
          onChange={(e) => setNewKey(e.target.value)}
        />
        <button type="submit" className="btn btn-small" disabled={!newKey.trim() || act.busy}>
          Add key
        </button>
      </form>
    </Card>
  );
}

function CredentialState({ s, now }: { s: PoolCredential; now: number }) {
  const cooldowns = Object.entries(s.modelCooldowns ?? {}).filter(([, until]) => until > now);
  // A key cooling for some models only (a 429 that named its model) still serves the others.
  const partly = s.status === 'healthy' && cooldowns.length > 0;
  const reason = s.status !== 'healthy' ? s.reason : partly ? s.lastError : undefined;
  return (
    <div className="cred-state">
      {!partly && (
        <Badge tone={STATE_TONE[s.status] ?? 'muted'} title={s.reason}>
          {STATE_LABEL[s.status] ?? s.status}
          {s.until && s.until > now ? ` · ${countdown(s.until, now)}` : ''}
        </Badge>
      )}
      {cooldowns.map(([m, until]) => (
        <Badge key={m} tone="warn" title={`Cooling for ${m}; other models can still use this key`}>
          cooling for {m} · {countdown(until, now)}
        </Badge>
      ))}
      {reason && <div className="muted small reason">{reason}</div>}
    </div>
  );
}

interface Draft {
  name: string;
  type: string;
  base_url: string;
  keys: string;
  models: string;
  responses: boolean;
  priority: string;
  weight: string;
  strategy: string;
  enabled: boolean;
}

function draftOf(p?: Provider): Draft {
  return {
    name: p?.name ?? '',
    type: p?.type ?? 'openai',
    base_url: p?.base_url ?? '',
    keys: '',
    models: (p?.models ?? []).join(', '),
    responses: p?.responses ?? false,
    priority: p?.priority === undefined ? '' : String(p.priority),
    weight: p?.weight === undefined ? '1' : String(p.weight),
    strategy: p?.strategy ?? 'round-robin',
    enabled: p?.enabled ?? true,
  };
}

function ProviderForm({ open, provider, onClose, onSaved }: { open: boolean; provider?: Provider; onClose: () => void; onSaved: () => void }) {
  const [d, setD] = useState<Draft>(draftOf(provider));
  const act = useAction();
  useEffect(() => {
    if (open) {
      setD(draftOf(provider));
      act.setError(undefined);
    }
  }, [open, provider]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      type: d.type,
      models: splitList(d.models),
      enabled: d.enabled,
      weight: Number(d.weight) || 1,
      strategy: d.strategy,
    };
    if (d.base_url.trim()) body.base_url = d.base_url.trim();
    if (d.type === 'openai') body.responses = d.responses;
    if (d.priority.trim() !== '') body.priority = Number(d.priority);
    const done = await act.run(async () => {
      if (provider) {
        if ((body.models as string[]).length === 0) body.models = null;
        if (d.priority.trim() === '' && provider.priority !== undefined) throw new Error('To remove the priority, set it to the provider position instead (a number).');
        await api('PATCH', `/api/providers/${encodeURIComponent(provider.name)}`, body);
      } else {
        if ((body.models as string[]).length === 0) delete body.models;
        await api('POST', '/api/providers', { name: d.name.trim(), ...body, api_keys: splitList(d.keys) });
      }
      return true;
    });
    if (done) onSaved();
  };

  return (
    <Modal
      title={provider ? `Edit ${provider.name}` : 'Add a provider'}
      open={open}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="provider-form" className="btn btn-primary" disabled={act.busy}>
            {provider ? 'Save' : 'Add provider'}
          </button>
        </>
      }
    >
      <form id="provider-form" className="form-grid" onSubmit={(e) => void submit(e)}>
        <Field label="Name" hint="Letters, digits, dashes; used in the log and stats.">
          {(id) => <input id={id} required value={d.name} disabled={!!provider} onChange={(e) => set('name', e.target.value)} placeholder="openai-main" />}
        </Field>
        <Field label="Type">
          {(id) => (
            <select id={id} value={d.type} onChange={(e) => set('type', e.target.value)}>
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {t === 'openai' ? 'OpenAI / OpenAI-compatible' : t === 'anthropic' ? 'Anthropic' : 'Gemini'}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Base URL" wide hint={`Empty = ${DEFAULT_URLS[d.type]}. For OpenAI-compatible servers, their URL (…/v1).`}>
          {(id) => <input id={id} type="url" value={d.base_url} onChange={(e) => set('base_url', e.target.value)} placeholder={DEFAULT_URLS[d.type]} />}
        </Field>
        {!provider && (
          <Field label="API keys" wide hint="One per line (or comma-separated): the pool, used in turn.">
            {(id) => <textarea id={id} rows={3} value={d.keys} onChange={(e) => set('keys', e.target.value)} autoComplete="off" spellCheck={false} className="mono secret" />}
          </Field>
        )}
        <Field label="Models" wide hint="Model names this provider serves; globs like gpt-* allowed. Empty = any model.">
          {(id) => <input id={id} value={d.models} onChange={(e) => set('models', e.target.value)} placeholder="gpt-*, o3" className="mono" />}
        </Field>
        <Field label="Priority" hint="Lower first; empty = its position.">
          {(id) => <input id={id} type="number" value={d.priority} onChange={(e) => set('priority', e.target.value)} />}
        </Field>
        <Field label="Weight" hint="Share among equal priorities.">
          {(id) => <input id={id} type="number" min="0.01" step="any" value={d.weight} onChange={(e) => set('weight', e.target.value)} />}
        </Field>
        <Field label="Key strategy">
          {(id) => (
            <select id={id} value={d.strategy} onChange={(e) => set('strategy', e.target.value)}>
              {STRATEGIES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <div className="field checks">
          <label>
            <input type="checkbox" checked={d.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
          </label>
          {d.type === 'openai' && (
            <label>
              <input type="checkbox" checked={d.responses} onChange={(e) => set('responses', e.target.checked)} /> Send Responses requests as Responses
            </label>
          )}
        </div>
        <ErrorText>{act.error}</ErrorText>
      </form>
    </Modal>
  );
}
