import { useCallback, useEffect, useState } from 'react';
import { api, get, setUnauthorizedHandler, type SessionInfo } from './api';
import { LiveProvider, useLive } from './live';
import { Dashboard } from './pages/Dashboard';
import { Keys } from './pages/Keys';
import { Login } from './pages/Login';
import { Providers } from './pages/Providers';
import { Requests } from './pages/Requests';
import { Routing } from './pages/Routing';
import { Settings } from './pages/Settings';
import { Usage } from './pages/Usage';
import { linkProps, pageOf, useLocation, type Page } from './router';
import { useTheme, type ThemeChoice } from './theme';

const NAV: Array<{ page: Page; label: string; path: string }> = [
  { page: 'dashboard', label: 'Dashboard', path: '/ui/dashboard' },
  { page: 'providers', label: 'Providers', path: '/ui/providers' },
  { page: 'requests', label: 'Requests', path: '/ui/requests' },
  { page: 'usage', label: 'Usage', path: '/ui/usage' },
  { page: 'keys', label: 'Keys', path: '/ui/keys' },
  { page: 'routing', label: 'Routing', path: '/ui/routing' },
  { page: 'settings', label: 'Settings', path: '/ui/settings' },
];

export function App() {
  const [session, setSession] = useState<SessionInfo>();
  const [failed, setFailed] = useState<string>();

  const check = useCallback(() => {
    get<SessionInfo>('/api/session').then(
      (s) => {
        setSession(s);
        setFailed(undefined);
      },
      (e: unknown) => setFailed(e instanceof Error ? e.message : String(e)),
    );
  }, []);
  useEffect(() => {
    check();
    setUnauthorizedHandler(check);
  }, [check]);

  if (!session) {
    return <div className="boot">{failed ? <p role="alert">{failed}</p> : <p>Loading…</p>}</div>;
  }
  if (!session.authenticated) return <Login hint={session.password_hint} version={session.version} onLoggedIn={check} />;
  return (
    <LiveProvider onEnded={check}>
      <Shell session={session} onLoggedOut={check} />
    </LiveProvider>
  );
}

function Shell({ session, onLoggedOut }: { session: SessionInfo; onLoggedOut: () => void }) {
  const { pathname } = useLocation();
  const page = pageOf(pathname);
  const live = useLive();
  const { choice, setChoice } = useTheme();
  const current = NAV.find((n) => n.page === page);

  useEffect(() => {
    document.title = `${current?.label ?? 'Console'} · Switchyard`;
  }, [current]);

  const logout = async () => {
    await api('POST', '/api/logout').catch(() => undefined);
    onLoggedOut();
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/ui/favicon.svg" alt="" width="26" height="26" />
          <span>Switchyard</span>
        </div>
        <nav aria-label="Console pages">
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <a {...linkProps(n.path)} aria-current={n.page === page ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">v{session.version}</div>
      </aside>
      <div className="main-col">
        <header className="topbar">
          <h1>{current?.label}</h1>
          <div className="topbar-tools">
            <span className={`live ${live.connected ? 'live-on' : ''}`} role="status" title={live.connected ? 'Live updates are on' : 'Live updates are reconnecting'}>
              <i aria-hidden="true" />
              {live.connected ? 'Live' : 'Offline'}
            </span>
            <label className="visually-hidden" htmlFor="theme">
              Theme
            </label>
            <select id="theme" className="select-small" value={choice} onChange={(e) => setChoice(e.target.value as ThemeChoice)}>
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
            <button type="button" className="btn btn-small" onClick={() => void logout()}>
              Log out
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {page === 'dashboard' && <Dashboard session={session} />}
          {page === 'providers' && <Providers />}
          {page === 'requests' && <Requests />}
          {page === 'usage' && <Usage />}
          {page === 'keys' && <Keys />}
          {page === 'routing' && <Routing />}
          {page === 'settings' && <Settings />}
        </main>
      </div>
    </div>
  );
}
