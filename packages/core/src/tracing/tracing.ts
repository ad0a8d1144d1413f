import { INVALID_SPAN_CONTEXT, ProxyTracerProvider, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { Sequelize } from 'sequelize';
import { VERSION } from '../version';

/**
 * Optional OpenTelemetry spans through `@opentelemetry/api` alone (docs/guides/scaling.md
 * "Tracing"): no SDK is a dependency; until the host registers a tracer provider every span
 * here is the API's no-op. The tracer is looked up per span, so a provider registered after
 * `createCore` is used from then on.
 */
const tracer = () => trace.getTracer('@app/core', VERSION);

// What the API's global provider delegates to until a host registers one.
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();
// The span handed to traced work while nothing records: the API's own non-recording span.
const NON_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * False until the host registers a tracer provider; then every span below is real. Checked
 * per span, so the request path skips the no-op span and its context switch while nothing
 * records (docs/guides/scaling.md "Tracing"). A provider from another copy of the API counts
 * as registered.
 */
export function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}

/** Marks the span failed with the error's name and message, never its stack or driver details. */
function fail(span: Span, error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute('error.type', error instanceof Error ? ((error as { code?: unknown }).code?.toString() ?? error.name) : 'unknown');
}

/**
 * Runs `work` inside an active span named `name`, ending it when the work settles (a thrown
 * error marks it failed and is rethrown). A synchronous result ends the span at once.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => T, kind = SpanKind.INTERNAL): T {
  if (!tracingActive()) return work(NON_RECORDING);
  return tracer().startActiveSpan(name, { kind, attributes }, (span) => {
    let result: T;
    try {
      result = work(span);
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => (span.end(), value),
        (error: unknown) => {
          fail(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

/**
 * The span of one request through the pipeline, named `METHOD /route/:template` (never the
 * raw path), with the HTTP semantic-convention attributes and the request id. A 5xx marks
 * the span failed; a 4xx is the client's, not the server's, failure.
 */
export function traceRequest<R extends { status: number }>(
  request: { method: string; route: string; requestId?: string },
  work: () => Promise<R>,
): Promise<R> {
  if (!tracingActive()) return work();
  const attributes: Attributes = { 'http.request.method': request.method, 'http.route': request.route };
  return inSpan(`${request.method} ${request.route}`, attributes, async (span) => {
    const response = await work();
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  });
}

/**
 * Wraps every method of each service in a span named `service.method` (`users.createUser`),
 * the facade hosts and handlers call. The service itself is untouched: a method is looked up
 * on it at each access, and the wrapper handed out calls the function found then, with the
 * service as `this`. So a host that saves a method and replaces it (a spy, a decorator)
 * gets its own function called, never a loop back into its replacement.
 */
export function traceServices<S extends Record<string, object>>(services: S): S {
  const traced = Object.fromEntries(
    Object.entries(services).map(([name, service]) => [name, traceService(name, service)]),
  );
  return traced as S;
}

function traceService<T extends object>(name: string, service: T): T {
  const wrappers = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  return new Proxy(service, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      const method = value as (...args: unknown[]) => unknown;
      let wrapper = wrappers.get(method);
      if (!wrapper) {
        const spanName = `${name}.${property}`;
        const attributes = { 'code.function.name': spanName };
        wrapper = (...args: unknown[]) => (tracingActive() ? inSpan(spanName, attributes, () => method.apply(target, args)) : method.apply(target, args));
        wrappers.set(method, wrapper);
      }
      return wrapper;
    },
  });
}

const OPERATION = /^\s*(?:WITH\b[\s\S]*?\)\s*)?([A-Za-z]+)/;
const TABLE = /\b(?:FROM|INTO|UPDATE|JOIN)\s+((?:"[^"]+"\.)?"[^"]+"|[A-Za-z_][\w.]*)/i;

/** `SELECT users`-like span name parts from a statement; its text (values included) is never recorded. */
export function describeSql(sql: string): { operation: string; table?: string } {
  const operation = (OPERATION.exec(sql)?.[1] ?? 'SQL').toUpperCase();
  const table = TABLE.exec(sql)?.[1]?.replace(/"/g, '');
  return table ? { operation, table } : { operation };
}

/**
 * A CLIENT span per SQL statement through Sequelize's `beforeQuery`/`afterQuery` hooks,
 * child of whatever span is active (the service's, the request's). Named
 * `OPERATION table` with `db.system.name`, `db.operation.name` and `db.collection.name`;
 * the statement's text is not recorded, since its inlined values may be personal data or
 * password hashes.
 */
export function traceSql(sequelize: Sequelize, system: 'postgresql' | 'sqlite'): void {
  const open = new WeakMap<object, Span>();
  sequelize.addHook('beforeQuery', (_options: unknown, query: object) => {
    if (!tracingActive()) return;
    open.set(query, tracer().startSpan('SQL', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': system } }));
  });
  sequelize.addHook('afterQuery', (_options: unknown, query: object) => {
    const span = open.get(query);
    if (!span) return;
    open.delete(query);
    const sql = (query as { sql?: unknown }).sql;
    if (typeof sql === 'string') {
      const { operation, table } = describeSql(sql);
      span.updateName(table ? `${operation} ${table}` : operation);
      span.setAttribute('db.operation.name', operation);
      if (table) span.setAttribute('db.collection.name', table);
    }
    span.end();
  });
}
