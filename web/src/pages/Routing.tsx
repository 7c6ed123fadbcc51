import { useEffect, useState, type FormEvent } from 'react';
import { api, get, qs, type Provider, type RoutePreview } from '../api';
import { Badge, Card, ErrorText } from '../components/ui';
import { mappingProblems, splitList, type MappingRow } from '../format';
import { useAction, useGet } from '../hooks';
import { linkProps } from '../router';

export function Routing() {
  const providers = useGet<{ providers: Provider[] }>('/api/providers');
  const [version, setVersion] = useState(0);
  return (
    <div className="page">
      <TryModel version={version} />
      <MappingEditor onSaved={() => setVersion((v) => v + 1)} />
      <FallbacksEditor onSaved={() => setVersion((v) => v + 1)} />
      <Card title="Who serves what" actions={<a {...linkProps('/ui/providers')}>Providers →</a>}>
        <ul className="plain-list">
          {providers.data?.providers.map((p) => (
            <li key={p.name} className="row-between">
              <span>
                <b>{p.name}</b> <Badge>{p.type}</Badge> {!p.enabled && <Badge tone="muted">disabled</Badge>}
              </span>
              <span className="mono small">{p.models && p.models.length > 0 ? p.models.join(', ') : 'any model'}</span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

function TryModel({ version }: { version: number }) {
  const [model, setModel] = useState('');
  const [tools, setTools] = useState(false);
  const [asked, setAsked] = useState<{ model: string; tools: boolean }>();
  const [result, setResult] = useState<RoutePreview>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!asked) return;
    get<RoutePreview>(`/api/route${qs({ model: asked.model, tools: asked.tools ? 1 : undefined })}`).then(
      (r) => {
        setResult(r);
        setError(undefined);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [asked, version]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (model.trim()) setAsked({ model: model.trim(), tools });
  };

  return (
    <Card title="Try a model name">
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor="try-model" className="visually-hidden">
          Model name
        </label>
        <input id="try-model" className="mono" value={model} onChange={(e) => setModel(e.target.value)} placeholder="claude-sonnet-4-5" />
        <label className="check">
          <input type="checkbox" checked={tools} onChange={(e) => setTools(e.target.checked)} /> offers tools
        </label>
        <button type="submit" className="btn btn-primary" disabled={!model.trim()}>
          Show route
        </button>
      </form>
      <ErrorText>{error}</ErrorText>
      {result && (
        <div className="route-result" aria-live="polite">
          {result.routable ? (
            <>
              <p>
                <code>{result.model}</code>
                {result.resolved_model !== result.model ? (
                  <>
                    {' '}
                    → <code>{result.resolved_model}</code>
                    {result.mapping_rule && (
                      <span className="muted">
                        {' '}
                        by mapping rule <code>{result.mapping_rule}</code>
                      </span>
                    )}
                  </>
                ) : (
                  <span className="muted"> is sent as it is (no mapping rule applies)</span>
                )}
                {result.background && <Badge tone="info">background request → cheaper model</Badge>}
              </p>
              <ol className="candidates">
                {result.candidates?.map((c) => (
                  <li key={`${c.provider}-${c.model}-${c.fallback_for ?? ''}`}>
                    <b>{c.provider}</b> <Badge>{c.type}</Badge> sends <code>{c.model}</code>
                    {c.fallback_for && <Badge tone="warn">fallback for {c.fallback_for}</Badge>}
                    <span className="muted small">
                      {' '}
                      · priority {c.priority ?? 'by position'} · weight {c.weight} · {c.usable_credentials}/{c.credentials} keys usable now
                    </span>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p className="err-text">
              <b>Not routable:</b>{' '}
              {result.status === 503 ? (
                <>
                  no provider is set up yet — <a {...linkProps('/ui/providers?add=1')}>add one</a>.
                </>
              ) : (
                result.error
              )}
            </p>
          )}
        </div>
      )}
    </Card>
  );
}

function MappingEditor({ onSaved }: { onSaved: () => void }) {
  const loaded = useGet<{ model_mapping: Record<string, string> }>('/api/mapping');
  const [rows, setRows] = useState<MappingRow[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(false);
  const act = useAction();
  useEffect(() => {
    if (loaded.data) {
      setRows(Object.entries(loaded.data.model_mapping).map(([from, to]) => ({ from, to })));
      setDirty(false);
    }
  }, [loaded.data]);
  const problems = mappingProblems(rows);
  const edit = (i: number, patch: Partial<MappingRow>) => {
    setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
    setDirty(true);
    setSaved(false);
  };
  const move = (i: number, d: number) => {
    setRows((r) => {
      const next = [...r];
      const [x] = next.splice(i, 1);
      next.splice(i + d, 0, x);
      return next;
    });
    setDirty(true);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (problems.size > 0) return;
    const body = { model_mapping: Object.fromEntries(rows.map((r) => [r.from.trim(), r.to.trim()])) };
    const ok = await act.run(() => api('PUT', '/api/mapping', body));
    if (ok) {
      setSaved(true);
      loaded.reload();
      onSaved();
    }
  };
  return (
    <Card title="Model mapping" actions={dirty ? <Badge tone="warn">unsaved</Badge> : saved ? <Badge tone="ok">saved, routing now</Badge> : undefined}>
      <p className="muted">
        A requested model name → the model sent upstream. Exact names win; then globs (<code>claude-haiku-*</code>) and <code>/regular expressions/</code> in this order
        (a regex target may use <code>$1</code>).
      </p>
      <form onSubmit={(e) => void save(e)}>
        <ol className="rule-list">
          {rows.map((r, i) => (
            <li key={i} className={problems.has(i) ? 'invalid' : ''}>
              <div className="rule">
                <label className="visually-hidden" htmlFor={`from-${i}`}>
                  Requested model, rule {i + 1}
                </label>
                <input id={`from-${i}`} className="mono" value={r.from} onChange={(e) => edit(i, { from: e.target.value })} placeholder="claude-haiku-*" aria-invalid={problems.has(i) || undefined} />
                <span aria-hidden="true">→</span>
                <label className="visually-hidden" htmlFor={`to-${i}`}>
                  Upstream model, rule {i + 1}
                </label>
                <input id={`to-${i}`} className="mono" value={r.to} onChange={(e) => edit(i, { to: e.target.value })} placeholder="gemini-2.5-flash" aria-invalid={problems.has(i) || undefined} />
                <span className="rule-buttons">
                  <button type="button" className="btn btn-small btn-ghost" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move rule ${i + 1} up`}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" disabled={i === rows.length - 1} onClick={() => move(i, 1)} aria-label={`Move rule ${i + 1} down`}>
                    ↓
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    onClick={() => (setRows((x) => x.filter((_, j) => j !== i)), setDirty(true))}
                    aria-label={`Remove rule ${i + 1}`}
                  >
                    ✕
                  </button>
                </span>
              </div>
              {problems.has(i) && <small className="err-text">{problems.get(i)}</small>}
            </li>
          ))}
        </ol>
        {rows.length === 0 && <p className="muted small">No mapping: every model name is sent as requested.</p>}
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => (setRows((r) => [...r, { from: '', to: '' }]), setDirty(true))}>
            Add rule
          </button>
          <button type="submit" className="btn btn-primary" disabled={!dirty || problems.size > 0 || act.busy}>
            Save mapping
          </button>
        </div>
        <ErrorText>{act.error}</ErrorText>
      </form>
    </Card>
  );
}

interface FallbackRow {
  model: string;
  fallbacks: string;
}

function FallbacksEditor({ onSaved }: { onSaved: () => void }) {
  const loaded = useGet<{ fallbacks: Record<string, string[]>; origin: string }>('/api/fallbacks');
  const [rows, setRows] = useState<FallbackRow[]>([]);
  const [dirty, setDirty] = useState(false);
  const act = useAction();
  useEffect(() => {
    if (loaded.data) {
      setRows(Object.entries(loaded.data.fallbacks).map(([model, list]) => ({ model, fallbacks: list.join(', ') })));
      setDirty(false);
    }
  }, [loaded.data]);
  const problems = new Map<number, string>();
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (!r.model.trim()) problems.set(i, 'name the model');
    else if (splitList(r.fallbacks).length === 0) problems.set(i, 'list at least one fallback model');
    else if (seen.has(r.model.trim())) problems.set(i, `"${r.model.trim()}" is listed twice`);
    seen.add(r.model.trim());
  });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = { fallbacks: Object.fromEntries(rows.map((r) => [r.model.trim(), splitList(r.fallbacks)])) };
    const ok = await act.run(() => api('PUT', '/api/fallbacks', body));
    if (ok) {
      loaded.reload();
      onSaved();
    }
  };
  return (
    <Card title="Fallbacks" actions={dirty ? <Badge tone="warn">unsaved</Badge> : undefined}>
      <p className="muted">When no key can serve a model right now (cooling, failing), try these models instead, in order.</p>
      <form onSubmit={(e) => void save(e)}>
        <ol className="rule-list">
          {rows.map((r, i) => (
            <li key={i} className={problems.has(i) ? 'invalid' : ''}>
              <div className="rule">
                <label className="visually-hidden" htmlFor={`fb-model-${i}`}>
                  Model, fallback rule {i + 1}
                </label>
                <input id={`fb-model-${i}`} className="mono" value={r.model} onChange={(e) => (setRows((x) => x.map((y, j) => (j === i ? { ...y, model: e.target.value } : y))), setDirty(true))} placeholder="gemini-2.5-pro" />
                <span aria-hidden="true">⇢</span>
                <label className="visually-hidden" htmlFor={`fb-list-${i}`}>
                  Fallback models, rule {i + 1}
                </label>
                <input
                  id={`fb-list-${i}`}
                  className="mono"
                  value={r.fallbacks}
                  onChange={(e) => (setRows((x) => x.map((y, j) => (j === i ? { ...y, fallbacks: e.target.value } : y))), setDirty(true))}
                  placeholder="gemini-2.5-flash, gpt-4o-mini"
                />
                <span className="rule-buttons">
                  <button type="button" className="btn btn-small btn-ghost" onClick={() => (setRows((x) => x.filter((_, j) => j !== i)), setDirty(true))} aria-label={`Remove fallback rule ${i + 1}`}>
                    ✕
                  </button>
                </span>
              </div>
              {problems.has(i) && <small className="err-text">{problems.get(i)}</small>}
            </li>
          ))}
        </ol>
        {rows.length === 0 && <p className="muted small">No fallbacks.</p>}
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => (setRows((r) => [...r, { model: '', fallbacks: '' }]), setDirty(true))}>
            Add fallback
          </button>
          <button type="submit" className="btn btn-primary" disabled={!dirty || problems.size > 0 || act.busy}>
            Save fallbacks
          </button>
        </div>
        <ErrorText>{act.error}</ErrorText>
      </form>
    </Card>
  );
}
