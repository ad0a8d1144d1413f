/** A compiled route path: tests a concrete path and extracts its `:param` values. */
export interface PathMatcher {
  readonly path: string;
  match(path: string): Record<string, string> | undefined;
}

/** Strips one trailing slash (except from `/`), so `/users/` and `/users` are one route. */
export function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Compiles a path of literal and plain `:param` segments (the only syntax routes use). */
export function compilePath(path: string): PathMatcher {
  const segments = normalizePath(path).split('/');
  return {
    path,
    match(candidate) {
      const parts = normalizePath(candidate).split('/');
      if (parts.length !== segments.length) return undefined;
      const params: Record<string, string> = {};
      for (let index = 0; index < segments.length; index += 1) {
        const segment = segments[index]!;
        const part = parts[index]!;
        if (segment.startsWith(':')) {
          if (part === '') return undefined;
          try {
            params[segment.slice(1)] = decodeURIComponent(part);
          } catch {
            // A malformed escape (`%zz`) stays raw, so the route's schema answers 422 for it.
            params[segment.slice(1)] = part;
          }
        } else if (segment !== part) {
          return undefined;
        }
      }
      return params;
    },
  };
}
