import { compilePath, normalizePath, type PathMatcher } from './path-matcher';
import type { Route } from './route';
import type { HttpMethod } from './types';

/** One route with its compiled path. */
export interface RouteEntry {
  readonly route: Route;
  readonly matcher: PathMatcher;
  /** True when the path has no `:param` segment. */
  readonly literal: boolean;
}

/** What {@link RouteMatcher.find} decides for a request. */
export type MatchResult =
  | { kind: 'route'; entry: RouteEntry; params: Record<string, string> }
  /** A path of the API whose route has other methods (405) or that no route has (404). */
  | { kind: 'unmatched'; allowed: HttpMethod[] }
  /** Neither under the prefix nor a root route: the host's next handler decides. */
  | { kind: 'not-mine' };

/**
 * The one matcher of the API: every adapter hands it every request. The API owns the paths
 * under its prefix and the paths of its root routes (`/health`), whatever the method; anything
 * else is the host's. A literal path wins over a `:param` one, so `/users/bulk` is never a
 * bad `/users/:id`. HEAD is served as GET.
 */
export class RouteMatcher {
  private readonly entries: RouteEntry[];
  /** Literal routes by their normalised path: a literal path matches only itself. */
  private readonly literals = new Map<string, RouteEntry[]>();
  /** `:param` routes by their number of segments, the only ones a path can match. */
  private readonly parameterised = new Map<number, RouteEntry[]>();
  private readonly roots: RouteEntry[];

  constructor(
    routes: readonly Route[],
    private readonly prefix: string,
  ) {
    this.entries = routes.map((route) => ({ route, matcher: compilePath(route.path), literal: !route.path.includes(':') }));
    for (const entry of this.entries) {
      const path = normalizePath(entry.route.path);
      if (entry.literal) append(this.literals, path, entry);
      else append(this.parameterised, path.split('/').length, entry);
    }
    this.roots = this.entries.filter((entry) => !isUnder(entry.route.path, prefix));
  }

  /** The entry of the route with this id. */
  byId(id: string): RouteEntry | undefined {
    return this.entries.find((entry) => entry.route.id === id);
  }

  /** True when the path is under the prefix or is a root route's path. */
  owns(path: string): boolean {
    const normalized = normalizePath(path);
    return isUnder(normalized, this.prefix) || this.roots.some((entry) => entry.matcher.match(normalized) !== undefined);
  }

  find(method: string, path: string): MatchResult {
    if (!this.owns(path)) return { kind: 'not-mine' };
    const candidates = this.matching(path);
    const wanted = method === 'HEAD' ? 'GET' : method;
    const entry = candidates.find((candidate) => candidate.route.method === wanted);
    if (!entry) return { kind: 'unmatched', allowed: [...new Set(candidates.map((candidate) => candidate.route.method))] };
    return { kind: 'route', entry, params: entry.matcher.match(path) ?? {} };
  }

  /** True when a literal route has this path (so a `:param` route must not take it). */
  isLiteralPath(path: string): boolean {
    return this.literals.has(normalizePath(path));
  }

  /** The routes whose path fits: the literal ones when any fits, else the parameterised ones. */
  private matching(path: string): RouteEntry[] {
    const normalized = normalizePath(path);
    const literal = this.literals.get(normalized);
    if (literal) return literal;
    const sameLength = this.parameterised.get(normalized.split('/').length) ?? [];
    return sameLength.filter((entry) => entry.matcher.match(path));
  }
}

/** Adds the entry to its key's list, keeping the routes' order. */
function append<K>(index: Map<K, RouteEntry[]>, key: K, entry: RouteEntry): void {
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
}

/** True for the prefix itself and anything below it. */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
