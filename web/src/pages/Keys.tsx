import { useEffect, useState, type FormEvent } from 'react';
import { api, type UserKey } from '../api';
import { Badge, Card, CopyButton, Empty, ErrorText, Field, Modal, Switch, type Tone } from '../components/ui';
import { compact, num, splitList } from '../format';
import { useAction, useGet } from '../hooks';
import { useOnRequests } from '../live';

const STATUS_TONE: Record<UserKey['status'], Tone> = { active: 'ok', disabled: 'muted', expired: 'warn', revoked: 'err' };

interface Draft {
  name: string;
  allowed_models: string;
  rpm: string;
  daily_requests: string;
  daily_tokens: string;
  expires: string;
}

const emptyDraft: Draft = { name: '', allowed_models: '', rpm: '', daily_requests: '', daily_tokens: '', expires: '' };

function draftOf(k: UserKey): Draft {
  return {
    name: k.name,
    allowed_models: k.allowed_models.join(', '),
    rpm: k.rpm === null ? '' : String(k.rpm),
    daily_requests: k.daily_requests === null ? '' : String(k.daily_requests),
    daily_tokens: k.daily_tokens === null ? '' : String(k.daily_tokens),
    expires: k.expires_at ? k.expires_at.slice(0, 10) : '',
  };
}

const limit = (s: string) => (s.trim() === '' ? null : Number(s));

function bodyOf(d: Draft) {
  return {
    name: d.name.trim(),
    allowed_models: splitList(d.allowed_models),
    rpm: limit(d.rpm),
    daily_requests: limit(d.daily_requests),
    daily_tokens: limit(d.daily_tokens),
    // The end of the chosen day, local time.
    expires_at: d.expires ? new Date(`${d.expires}T23:59:59`).getTime() : null,
  };
}

function Quota({ used, max, unit }: { used: number; max: number | null; unit: string }) {
  if (max === null) return <span>{unit === 'tokens' ? compact(used) : num(used)}</span>;
  const pct = Math.min(100, (used / max) * 100);
  return (
    <span className="quota" title={`${num(used)} of ${num(max)} ${unit}`}>
      <span>
        {unit === 'tokens' ? compact(used) : num(used)} / {unit === 'tokens' ? compact(max) : num(max)}
      </span>
      <span className="quota-track" aria-hidden="true">
        <span className={`quota-fill ${pct >= 100 ? 'full' : pct > 80 ? 'high' : ''}`} style={{ width: `${pct}%` }} />
      </span>
    </span>
  );
}

export function Keys() {
  const list = useGet<{ keys: UserKey[] }>('/api/keys');
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [created, setCreated] = useState<{ name: string; key: string }>();
  const [editing, setEditing] = useState<UserKey>();
  const act = useAction();
  useOnRequests(() => list.reload(), 5000);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await act.run(() => api<{ api_key: string; name: string }>('POST', '/api/keys', bodyOf(draft)));
    if (r) {
      setCreated({ name: r.name, key: r.api_key });
      setDraft(emptyDraft);
      list.reload();
    }
  };
  const change = async (fn: () => Promise<unknown>) => {
    await act.run(fn);
    list.reload();
  };
  const set = <K extends keyof Draft>(k: K, v: string) => setDraft((d) => ({ ...d, [k]: v }));

  return (
    <div className="page">
      <Card title="Create a user key">
        <p className="muted">
          Give each person or tool its own key, with its own models and limits. Clients send it like any API key; it works in every auth mode, and its
          requests are attributed to it in the log and stats.
        </p>
        <form className="form-grid" onSubmit={(e) => void create(e)}>
          <Field label="Name">{(id) => <input id={id} required value={draft.name} onChange={(e) => set('name', e.target.value)} placeholder="ci-bot" />}</Field>
          <Field label="Allowed models" hint="Globs of requested model names; empty = all.">
            {(id) => <input id={id} className="mono" value={draft.allowed_models} onChange={(e) => set('allowed_models', e.target.value)} placeholder="claude-*, gpt-4o*" />}
          </Field>
          <Field label="Requests per minute" hint="Empty = no limit.">
            {(id) => <input id={id} type="number" min="1" value={draft.rpm} onChange={(e) => set('rpm', e.target.value)} />}
          </Field>
          <Field label="Requests per day">{(id) => <input id={id} type="number" min="1" value={draft.daily_requests} onChange={(e) => set('daily_requests', e.target.value)} />}</Field>
          <Field label="Tokens per day">{(id) => <input id={id} type="number" min="1" value={draft.daily_tokens} onChange={(e) => set('daily_tokens', e.target.value)} />}</Field>
          <Field label="Expires" hint="Empty = never.">
            {(id) => <input id={id} type="date" value={draft.expires} onChange={(e) => set('expires', e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={act.busy || !draft.name.trim()}>
              Create key
            </button>
          </div>
        </form>
        <ErrorText>{act.error}</ErrorText>
      </Card>

      <Card title="User keys">
        {list.data?.keys.length === 0 && <Empty>No user keys yet.</Empty>}
        {list.data && list.data.keys.length > 0 && (
          <div className="table-wrap">
            <table className="table keys">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Models</th>
                  <th scope="col">Today: requests</th>
                  <th scope="col">Today: tokens</th>
                  <th scope="col">Per minute</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.keys.map((k) => (
                  <tr key={k.id} className={k.status === 'revoked' ? 'dim' : ''}>
                    <td>
                      <b>{k.name}</b>
                      {k.expires_at && <div className="muted small">expires {new Date(k.expires_at).toLocaleDateString()}</div>}
                    </td>
                    <td className="mono">{k.key}</td>
                    <td>
                      <Badge tone={STATUS_TONE[k.status]}>{k.status}</Badge>
                    </td>
                    <td className="mono small">{k.allowed_models.length > 0 ? k.allowed_models.join(', ') : <span className="muted">all</span>}</td>
                    <td>
                      <Quota used={k.usage_today?.requests ?? 0} max={k.daily_requests} unit="requests" />
                    </td>
                    <td>
                      <Quota used={k.usage_today?.tokens ?? 0} max={k.daily_tokens} unit="tokens" />
                    </td>
                    <td>
                      <Quota used={k.usage_today?.last_minute ?? 0} max={k.rpm} unit="requests" />
                    </td>
                    <td className="actions-cell">
                      {k.status !== 'revoked' && (
                        <>
                          <Switch checked={k.enabled} label={`Key ${k.name} enabled`} onChange={(v) => void change(() => api('PATCH', `/api/keys/${k.id}`, { enabled: v }))} />
                          <button type="button" className="btn btn-small" onClick={() => setEditing(k)} aria-label={`Edit key ${k.name}`}>
                            Edit
                          </button>
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            aria-label={`Revoke key ${k.name}`}
                            onClick={() => window.confirm(`Revoke "${k.name}"? It stops working at once, for good.`) && void change(() => api('DELETE', `/api/keys/${k.id}`))}
                          >
                            Revoke
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Modal
        title={`Key "${created?.name ?? ''}" created`}
        open={created !== undefined}
        onClose={() => setCreated(undefined)}
        footer={
          <button type="button" className="btn btn-primary" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        }
      >
        <p>
          <b>Copy this key now: it is shown only this once.</b> Switchyard keeps only a hash of it.
        </p>
        <div className="key-once">
          <label htmlFor="new-key" className="visually-hidden">
            The new key
          </label>
          <input id="new-key" readOnly value={created?.key ?? ''} className="mono" onFocus={(e) => e.target.select()} />
          <CopyButton text={created?.key ?? ''} label="Copy the new key" />
        </div>
      </Modal>
      <EditKey k={editing} onClose={() => setEditing(undefined)} onSaved={() => (setEditing(undefined), list.reload())} />
    </div>
  );
}

function EditKey({ k, onClose, onSaved }: { k?: UserKey; onClose: () => void; onSaved: () => void }) {
  const [d, setD] = useState<Draft>(emptyDraft);
  const act = useAction();
  useEffect(() => {
    if (k) setD(draftOf(k));
  }, [k]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!k) return;
    const ok = await act.run(() => api('PATCH', `/api/keys/${k.id}`, bodyOf(d)));
    if (ok) onSaved();
  };
  const set = <K extends keyof Draft>(f: K, v: string) => setD((x) => ({ ...x, [f]: v }));
  return (
    <Modal
      title={`Edit ${k?.name ?? ''}`}
      open={k !== undefined}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="edit-key" className="btn btn-primary" disabled={act.busy}>
            Save
          </button>
        </>
      }
    >
      <form id="edit-key" className="form-grid" onSubmit={(e) => void save(e)}>
        <Field label="Name">{(id) => <input id={id} required value={d.name} onChange={(e) => set('name', e.target.value)} />}</Field>
        <Field label="Allowed models" hint="Empty = all.">
          {(id) => <input id={id} className="mono" value={d.allowed_models} onChange={(e) => set('allowed_models', e.target.value)} />}
        </Field>
        <Field label="Requests per minute">{(id) => <input id={id} type="number" min="1" value={d.rpm} onChange={(e) => set('rpm', e.target.value)} />}</Field>
        <Field label="Requests per day">{(id) => <input id={id} type="number" min="1" value={d.daily_requests} onChange={(e) => set('daily_requests', e.target.value)} />}</Field>
        <Field label="Tokens per day">{(id) => <input id={id} type="number" min="1" value={d.daily_tokens} onChange={(e) => set('daily_tokens', e.target.value)} />}</Field>
        <Field label="Expires">{(id) => <input id={id} type="date" value={d.expires} onChange={(e) => set('expires', e.target.value)} />}</Field>
        <ErrorText>{act.error}</ErrorText>
      </form>
    </Modal>
  );
}
