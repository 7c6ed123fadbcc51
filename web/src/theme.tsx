import { createContext, useContext, useEffect, useLayoutEffect, useState, type ReactNode } from 'react';

// Light, dark, or the system's choice (kept in localStorage); CSS variables do the rest.

export type ThemeChoice = 'system' | 'light' | 'dark';
type Resolved = 'light' | 'dark';

const Ctx = createContext<{ choice: ThemeChoice; resolved: Resolved; setChoice(c: ThemeChoice): void }>({
  choice: 'system',
  resolved: 'light',
  setChoice: () => undefined,
});

function systemDark(): boolean {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [choice, setChoiceState] = useState<ThemeChoice>(() => {
    const v = localStorage.getItem('switchyard-theme');
    return v === 'light' || v === 'dark' ? v : 'system';
  });
  const [sysDark, setSysDark] = useState(systemDark);
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    const on = () => setSysDark(mq.matches);
    mq?.addEventListener('change', on);
    return () => mq?.removeEventListener('change', on);
  }, []);
  const resolved: Resolved = choice === 'system' ? (sysDark ? 'dark' : 'light') : choice;
  // Set before the children's effects run (charts read the CSS variables when they draw).
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  const setChoice = (c: ThemeChoice) => {
    setChoiceState(c);
    if (c === 'system') localStorage.removeItem('switchyard-theme');
    else localStorage.setItem('switchyard-theme', c);
  };
  return <Ctx.Provider value={{ choice, resolved, setChoice }}>{children}</Ctx.Provider>;
}

export function useTheme() {
  return useContext(Ctx);
}

/** A CSS variable's value now (for canvas charts). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export const PALETTE = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c7'];
