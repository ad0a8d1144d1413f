import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolMetrics } from '../domain/types';
import type { LoginResult, Metrics } from './metrics';

/** What is read at scrape time rather than counted as it happens. */
export interface ScrapeSources {
  /** The database pool's figures (`DatabaseInfo.poolMetrics`). */
  pool(): PoolMetrics;
  /** Per port (`cache`, `rate_limiter`): true while it runs on its memory fallback. */
  fallbacks(): Promise<Record<string, boolean>>;
}

/** Queue waits are mostly zero; a backlog shows in the upper buckets (the shedding limit is 5 s by default). */
const HASH_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The core's {@link Metrics} on prom-client, with a Registry of its own (never the global
 * one), so two cores in one process keep apart figures and never collide on a name. The
 * names and labels are those of docs/reference/routes.md "Metrics"; labels are bounded
 * (route templates, methods, statuses, fixed result and port names).
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private sources: ScrapeSources | undefined;
  private readonly children = new Map<string, unknown>();
  private readonly requests = new Counter({
    name: 'app_http_requests_total',
    help: 'HTTP requests answered by the API, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: 'app_http_request_duration_seconds',
    help: 'Time from the request reaching the pipeline to its response (headers) being ready.',
    labelNames: ['route', 'method'] as const,
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: 'app_logins_total',
    help: 'Login attempts by result: success, failure (bad credentials, inactive, unverified) or locked (refused by the lockout).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly limited = new Counter({
    name: 'app_rate_limited_total',
    help: 'Requests refused with 429 by their route\'s rate limit, by route template.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'app_cache_requests_total',
    help: 'Response-cache lookups of cacheable GET routes, by route template and result (hit or miss).',
    labelNames: ['route', 'result'] as const,
    registers: [this.registry],
  });
  private readonly hashWaits = new Histogram({
    name: 'app_hash_queue_wait_seconds',
    help: 'Time each password hash waited for a hashing worker thread.',
    buckets: HASH_WAIT_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    const metrics = this;
    new Gauge({
      name: 'app_db_pool_connections',
      help: 'Database pool connections by state (idle, in_use, waiting), read at scrape time.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = metrics.sources?.pool();
        if (!pool) return;
        this.set({ state: 'idle' }, pool.checked_in);
        this.set({ state: 'in_use' }, pool.checked_out);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    });
    new Gauge({
      name: 'app_backend_fallback',
      help: '1 while the port (cache, rate_limiter) configured on Redis runs on its in-memory fallback, else 0; read at scrape time.',
      labelNames: ['port'] as const,
      registers: [this.registry],
      async collect() {
        const fallbacks = (await metrics.sources?.fallbacks()) ?? {};
        for (const [port, down] of Object.entries(fallbacks)) this.set({ port }, down ? 1 : 0);
      },
    });
  }

  /** Gives the scrape-time gauges their sources (the core builds them after the metrics). */
  observe(sources: ScrapeSources): void {
    this.sources = sources;
  }

  /** The text exposition and its media type, for `GET /metrics`. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    this.child(`r\0${route}\0${method}\0${status}`, () => this.requests.labels({ route, method, status: String(status) })).inc();
    this.child(`d\0${route}\0${method}`, () => this.durations.labels({ route, method })).observe(seconds);
  }

  rateLimited(route: string): void {
    this.limited.inc({ route });
  }

  cacheRequest(route: string, result: 'hit' | 'miss'): void {
    this.child(`c\0${route}\0${result}`, () => this.cacheLookups.labels({ route, result })).inc();
  }

  /**
   * The labelled child of a hot series, looked up once: prom-client hashes a label object on
   * every call otherwise. The key space is the labels' (bounded), so the map is too.
   */
  private child<C>(key: string, create: () => C): C {
    let child = this.children.get(key) as C | undefined;
    if (child === undefined) {
      child = create();
      this.children.set(key, child);
    }
    return child;
  }

  login(result: LoginResult): void {
    this.logins.inc({ result });
  }

  hashQueueWait(seconds: number): void {
    this.hashWaits.observe(seconds);
  }
}
