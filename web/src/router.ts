import { useEffect, useState } from 'react';

// A tiny history router: the console lives at / and /ui/<page>.

export const PAGES = ['dashboard', 'providers', 'requests', 'usage', 'keys', 'routing', 'settings'] as const;
export type Page = (typeof PAGES)[number];

export function pageOf(pathname: string): Page {
  const m = /^\/ui\/([a-z]+)/.exec(pathname);
  const p = m?.[1] as Page | undefined;
  return p && (PAGES as readonly string[]).includes(p) ? p : 'dashboard';
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const on = () => setTick((t) => t + 1);
    listeners.add(on);
    window.addEventListener('popstate', on);
    return () => {
      listeners.delete(on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return { pathname: location.pathname, search: new URLSearchParams(location.search) };
}

/** Props for an <a> that navigates inside the app (keeps ctrl/middle-click as a new tab). */
export function linkProps(to: string) {
  return {
    href: to,
    onClick: (e: React.MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(to);
    },
  };
}
