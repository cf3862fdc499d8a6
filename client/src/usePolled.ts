/**
 * Loads data and reloads it every `intervalMs` while the page is visible (0: load once). Keeps
 * showing the last good data through a failed reload; `error` is the last failure, if any.
 * `key` names what is loaded (e.g. a game id): when it changes, the data is dropped and loading
 * starts over.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function usePolled<T>(load: () => Promise<T>, intervalMs: number, key = ''): Polled<T> {
  const [state, setState] = useState<{
    key: string;
    data: T | undefined;
    error: unknown;
    loading: boolean;
  }>({ key, data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` forces a reload.
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      loadRef.current().then(
        (data) => {
          if (!cancelled) setState({ key, data, error: null, loading: false });
        },
        (error: unknown) => {
          if (!cancelled)
            setState((s) => ({
              key,
              data: s.key === key ? s.data : undefined,
              error,
              loading: false,
            }));
        },
      );
      if (intervalMs > 0) {
        timer = setTimeout(function again() {
          if (document.visibilityState === 'hidden') timer = setTimeout(again, intervalMs);
          else run();
        }, intervalMs);
      }
    };
    run();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [intervalMs, tick, key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  // Data of a previous key is never shown for the new one.
  if (state.key !== key) return { data: undefined, error: null, loading: true, reload };
  return { ...state, reload };
}
