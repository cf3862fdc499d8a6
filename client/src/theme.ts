/**
 * The colour theme: 'system' follows prefers-color-scheme; 'light' and 'dark' are the user's
 * choice, kept in localStorage and applied as `data-theme` on the root element.
 */
import { useCallback, useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'arcade-arena-theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

/** The theme actually showing, for components (charts) that need concrete colours. */
export function effectiveTheme(): 'light' | 'dark' {
  const forced = document.documentElement.dataset.theme;
  if (forced === 'light' || forced === 'dark') return forced;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function useTheme(): { choice: ThemeChoice; toggle: () => void } {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  useEffect(() => {
    const root = document.documentElement;
    if (choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = choice;
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    window.dispatchEvent(new Event('arena-theme'));
  }, [choice]);
  // A toggle flips what is showing; the system setting is the starting point.
  const toggle = useCallback(() => setChoice(effectiveTheme() === 'dark' ? 'light' : 'dark'), []);
  return { choice, toggle };
}

/** Re-renders when the theme changes (the toggle or the system setting). */
export function useEffectiveTheme(): 'light' | 'dark' {
  const [theme, setTheme] = useState<'light' | 'dark'>(() =>
    typeof document === 'undefined' ? 'dark' : effectiveTheme(),
  );
  useEffect(() => {
    const update = () => setTheme(effectiveTheme());
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    media?.addEventListener('change', update);
    window.addEventListener('arena-theme', update);
    return () => {
      media?.removeEventListener('change', update);
      window.removeEventListener('arena-theme', update);
    };
  }, []);
  return theme;
}
