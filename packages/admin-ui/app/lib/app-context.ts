import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api';
import type { PageMeta } from './page-meta';
import type { User } from './types';
import { loadUserSchema, type UserSchema } from './user-schema';

/** What every view of a signed-in page shares. */
export interface AppState {
  api: ApiClient;
  meta: PageMeta;
  /** The signed-in superuser. */
  me: User;
  /** Shows a short message in the status area (announced to screen readers) on view `path` (default: this one). */
  notify(message: string, path?: string): void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside a signed-in page');
  return state;
}

/** A loaded value: `data` once it arrived, `error` when the last load failed. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** False while `data` is still the answer for an earlier `key` (a new page is on its way). */
  current: boolean;
  reload(): void;
}

/**
 * Loads with `load` whenever `key` changes and, with `everyMs`, again in the background while
 * the tab is visible. An answer that arrives after a newer request started is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; dataKey?: string; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyRef = useRef(key);
  keyRef.current = key;
  const run = useCallback(() => {
    const mine = ++generation.current;
    const asked = keyRef.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (data) => mine === generation.current && setState({ data, dataKey: asked, loading: false }),
      (error: unknown) => mine === generation.current && setState((previous) => ({ ...previous, error, loading: false })),
    );
  }, []);
  useEffect(() => {
    // The previous answer stays on screen (marked not current) until the new one arrives.
    setState((previous) => ({ data: previous.data, dataKey: previous.dataKey, loading: true }));
    run();
    if (!everyMs) return undefined;
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), everyMs);
    return () => clearInterval(timer);
  }, [key, everyMs]);
  return { data: state.data, error: state.error, loading: state.loading, current: state.dataKey === key, reload: run };
}

/** The user's fields as this server's OpenAPI document gives them (loaded once per page). */
export function useUserSchema(): Loaded<UserSchema> {
  const { api } = useApp();
  return useLoad(() => loadUserSchema(api), 'user-schema');
}
