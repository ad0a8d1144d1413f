import { useEffect, useState } from 'preact/hooks';

/**
 * Views live in the URL's fragment (`…/dashboard/#/users/5`), so a reload or a shared link
 * opens the same view while the server serves only the few shell paths.
 */
export interface Route {
  /** `['users', '5']` for `#/users/5`. */
  segments: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?', 2);
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

/** `href` for a view: `link('users', 5)` → `#/users/5`; query values that are empty are left out. */
export function link(path: string, query: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return `#/${path}${text ? `?${text}` : ''}`;
}

export function navigate(href: string): void {
  window.location.hash = href.slice(1);
}

/** The current view, updated on every fragment change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
