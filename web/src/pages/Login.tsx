import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';

export function Login({ hint, version, onLoggedIn }: { hint?: string; version?: string; onLoggedIn: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/api/login', { password });
      onLoggedIn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError(`Too many wrong passwords. Try again in ${err.retryAfter ?? 1} s.`);
      else if (err instanceof ApiError && err.status === 401) setError('That is not the admin password.');
      else setError(err instanceof Error ? err.message : String(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <div className="brand brand-large">
          <img src="/ui/favicon.svg" alt="" width="36" height="36" />
          <span id="login-title">Switchyard</span>
        </div>
        <p className="muted">Log in to the admin console.</p>
        <label htmlFor="password">Admin password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : 'login-hint'}
        />
        {error && (
          <p id="login-error" className="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy || password === ''}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        {hint && (
          <p id="login-hint" className="hint">
            {hint}
          </p>
        )}
        {version && <p className="hint">Switchyard {version}</p>}
      </form>
    </main>
  );
}
