import { useEffect, useState, type FormEvent } from 'react';
import { api, type ServerSettings, type Settings as SettingsT } from '../api';
import { Badge, Card, ErrorText, Field, Switch } from '../components/ui';
import { bytes, splitList } from '../format';
import { useAction, useGet } from '../hooks';

const AUTH_MODES: Record<string, string> = {
  auto: 'auto — no key on this machine only; a key as soon as the LAN can connect',
  off: 'off — no key needed',
  all_except_health: 'all_except_health — a key on every route but /healthz',
  strict: 'strict — a key on every route, /healthz too',
};

export function Settings() {
  return (
    <div className="page">
      <RuntimeSettings />
      <ServerSettingsCard />
      <Card title="Only in the config file">
        <p className="muted">
          <code>host</code>, <code>port</code>, <code>admin_password</code>, API keys, <code>routing</code> (attempts, cooldowns, circuit breaker), timeouts and{' '}
          <code>background</code> are read from <code>~/.switchyard/config.yaml</code> (or <code>--config</code>) and the environment at start. Providers, keys,
          mapping, fallbacks and everything on this page can be changed here without touching a file.
        </p>
      </Card>
    </div>
  );
}

function RuntimeSettings() {
  const loaded = useGet<SettingsT>('/api/settings');
  const [d, setD] = useState<Record<string, string | boolean>>({});
  const [saved, setSaved] = useState(false);
  const act = useAction();
  useEffect(() => {
    const s = loaded.data;
    if (!s) return;
    setD({
      store_bodies: s.store_bodies,
      stored_body_max_size: bytes(s.stored_body_max_size),
      log_retention_days: String(s.log_retention_days),
      log_max_records: String(s.log_max_records),
      metrics_auth: s.metrics_auth,
      ip_allow: s.ip_allow.join('\n'),
      ip_deny: s.ip_deny.join('\n'),
    });
  }, [loaded.data]);
  const set = (k: string, v: string | boolean) => {
    setD((x) => ({ ...x, [k]: v }));
    setSaved(false);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act.run(() =>
      api('PATCH', '/api/settings', {
        store_bodies: d.store_bodies,
        stored_body_max_size: d.stored_body_max_size,
        log_retention_days: Number(d.log_retention_days),
        log_max_records: Number(d.log_max_records),
        metrics_auth: d.metrics_auth,
        ip_allow: splitList(String(d.ip_allow ?? '')),
        ip_deny: splitList(String(d.ip_deny ?? '')),
      }),
    );
    if (ok !== undefined) {
      setSaved(true);
      loaded.reload();
    }
  };
  if (!loaded.data) return <Card title="Apply at once">{loaded.error ? <ErrorText>{loaded.error}</ErrorText> : <p className="muted">Loading…</p>}</Card>;
  return (
    <Card title="Apply at once" actions={saved ? <Badge tone="ok">saved and applied</Badge> : <Badge tone="ok">no restart needed</Badge>}>
      <form className="form-grid" onSubmit={(e) => void save(e)}>
        <div className="field field-wide switch-field">
          <Switch checked={Boolean(d.store_bodies)} onChange={(v) => set('store_bodies', v)} label="Store request and response bodies" />
          <span>
            <b>Store request and response bodies</b> in the request log (capped, secrets redacted)
          </span>
        </div>
        <Field label="Stored body cap" hint="Per body, e.g. 64kb.">
          {(id) => <input id={id} value={String(d.stored_body_max_size ?? '')} onChange={(e) => set('stored_body_max_size', e.target.value)} />}
        </Field>
        <Field label="Log retention (days)" hint="Older requests are deleted from the log; stats stay.">
          {(id) => <input id={id} type="number" min="0.01" step="any" value={String(d.log_retention_days ?? '')} onChange={(e) => set('log_retention_days', e.target.value)} />}
        </Field>
        <Field label="Log size (requests)" hint="Only the newest this many are kept.">
          {(id) => <input id={id} type="number" min="1" value={String(d.log_max_records ?? '')} onChange={(e) => set('log_max_records', e.target.value)} />}
        </Field>
        <Field label="/metrics access">
          {(id) => (
            <select id={id} value={String(d.metrics_auth)} onChange={(e) => set('metrics_auth', e.target.value)}>
              <option value="loopback">loopback: open on this machine</option>
              <option value="admin">admin: the password always</option>
            </select>
          )}
        </Field>
        <Field label="IP allow list" wide hint="CIDR blocks or addresses, one per line; empty = everyone (proxy routes only).">
          {(id) => <textarea id={id} rows={2} className="mono" value={String(d.ip_allow ?? '')} onChange={(e) => set('ip_allow', e.target.value)} placeholder="192.168.1.0/24" />}
        </Field>
        <Field label="IP deny list" wide hint="Always refused; wins over the allow list.">
          {(id) => <textarea id={id} rows={2} className="mono" value={String(d.ip_deny ?? '')} onChange={(e) => set('ip_deny', e.target.value)} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={act.busy}>
            Save
          </button>
        </div>
        <ErrorText>{act.error}</ErrorText>
      </form>
    </Card>
  );
}

function ServerSettingsCard() {
  const loaded = useGet<ServerSettings>('/api/settings/server');
  const [mode, setMode] = useState('auto');
  const [lan, setLan] = useState(false);
  const [body, setBody] = useState('');
  const act = useAction();
  useEffect(() => {
    const s = loaded.data;
    if (!s) return;
    setMode(s.saved.auth_mode ?? s.running.auth_mode);
    setLan(s.saved.allow_lan_access ?? s.running.allow_lan_access);
    setBody(s.saved.max_body_size !== undefined ? String(s.saved.max_body_size) : s.running.max_body_size_text);
  }, [loaded.data]);
  const s = loaded.data;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!s) return;
    const patch: Record<string, unknown> = {};
    patch.auth_mode = mode === s.running.auth_mode && s.saved.auth_mode === undefined ? null : mode;
    patch.allow_lan_access = lan === s.running.allow_lan_access && s.saved.allow_lan_access === undefined ? null : lan;
    patch.max_body_size = body.trim() === s.running.max_body_size_text && s.saved.max_body_size === undefined ? null : body.trim();
    const ok = await act.run(() => api('PATCH', '/api/settings/server', patch));
    if (ok) loaded.reload();
  };
  const revert = async () => {
    const ok = await act.run(() => api('PATCH', '/api/settings/server', { auth_mode: null, allow_lan_access: null, max_body_size: null }));
    if (ok) loaded.reload();
  };
  if (!s) return <Card title="Apply at the next start">{loaded.error ? <ErrorText>{loaded.error}</ErrorText> : <p className="muted">Loading…</p>}</Card>;
  const pending = s.restart_needed.length > 0;
  return (
    <Card title="Apply at the next start" actions={pending ? <Badge tone="warn">restart Switchyard to apply</Badge> : <Badge tone="muted">needs a restart when changed</Badge>}>
      <p className="muted">
        These decide how Switchyard listens, so they take effect when it starts again (stop it with Ctrl-C and run <code>npm start</code> or{' '}
        <code>switchyard</code> again). Values saved here override the config file until the file changes the same setting.
      </p>
      {pending && (
        <p className="callout-warn" role="status">
          Saved for the next start: {s.restart_needed.join(', ')}. Running now: auth {s.running.effective_auth_mode}, LAN access {s.running.allow_lan_access ? 'on' : 'off'}, body
          limit {s.running.max_body_size_text}.
        </p>
      )}
      <form className="form-grid" onSubmit={(e) => void save(e)}>
        <Field label="Auth mode" wide hint={`Running now: ${s.running.auth_mode} (${s.running.effective_auth_mode}). After a restart with these values: ${s.next_effective_auth_mode}.`}>
          {(id) => (
            <select id={id} value={mode} onChange={(e) => setMode(e.target.value)}>
              {Object.entries(AUTH_MODES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field field-wide switch-field">
          <Switch checked={lan} onChange={setLan} label="Allow LAN access" />
          <span>
            <b>LAN access</b>: listen on all interfaces (now {s.running.host}:{s.running.port}), so other devices on your network can connect.
            {lan && mode === 'off' && <span className="err-text"> With auth off, anyone on the network could use your keys.</span>}
          </span>
        </div>
        <Field label="Request body limit" hint={`Larger requests get 413. Running now: ${s.running.max_body_size_text}.`}>
          {(id) => <input id={id} value={body} onChange={(e) => setBody(e.target.value)} placeholder="100mb" />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={act.busy}>
            Save for next start
          </button>
          {Object.keys(s.saved).length > 0 && (
            <button type="button" className="btn" onClick={() => void revert()} disabled={act.busy}>
              Use the config file's values
            </button>
          )}
        </div>
        <ErrorText>{act.error}</ErrorText>
      </form>
    </Card>
  );
}
