/**
 * Metrics and tracing benchmark: what the Metrics port and the OpenTelemetry spans cost on
 * the pipeline's hot path. Three pipelines over the same stubbed services and memory cache
 * (no database, so the overhead is as large a share as it can be) serve `GET /auth/me`
 * (authenticated, cache HIT) in interleaved rounds:
 *
 * - reference: metrics off (the no-op port), no tracer provider (spans are the API's no-op);
 * - metrics:   the Prometheus metrics, no tracer provider (the default);
 * - tracing:   the Prometheus metrics and a registered provider that records every span.
 *
 * Prints requests per second and the ratio to the reference measured in the same run, and
 * the time of one scrape.
 *
 *   npm run bench:metrics     (BENCH_ROUNDS, default 15; BENCH_BATCH, default 2000)
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MemoryCache } from '../packages/core/src/cache/memory-cache';
import { systemClock } from '../packages/core/src/clock/clock';
import { resolveConfig } from '../packages/core/src/config/options';
import { ExecutionContext } from '../packages/core/src/context/execution-context';
import { createUserFields } from '../packages/core/src/domain/user-fields';
import { createHttpApi } from '../packages/core/src/http/create-http-api';
import type { HttpApi } from '../packages/core/src/http/http-api';
import { buildRequest, fakeServices } from '../packages/core/src/http/http-test-kit';
import type { CoreServices } from '../packages/core/src/http/route';
import { createConsoleLogger } from '../packages/core/src/logger/logger';
import { PrometheusMetrics } from '../packages/core/src/metrics/prometheus-metrics';
import { inSpan } from '../packages/core/src/tracing/tracing';
import { DisabledRateLimiter } from '../packages/core/src/rate-limit/disabled-rate-limiter';
import { createAccountSchemas } from '../packages/core/src/schemas/account';
import { createUserSchemas } from '../packages/core/src/schemas/user';
import { formatMs, summarize } from './lib/measure';
import { printTable } from './lib/table';

const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const batch = Number(process.env.BENCH_BATCH ?? 2000);

function pipeline(metrics: PrometheusMetrics | undefined): HttpApi {
  const config = resolveConfig({ environment: 'test', logger: createConsoleLogger({ level: 'error' }) });
  const fields = createUserFields();
  return createHttpApi({
    config,
    services: fakeServices() as unknown as CoreServices,
    cache: new MemoryCache(),
    // No limiter: its bucket would refuse the batch; the limiter is not what is measured.
    limiter: new DisabledRateLimiter(),
    executionContext: new ExecutionContext(),
    metrics,
    fields,
    schemas: createUserSchemas(fields, { bulkMax: config.bulkMax }),
    account: createAccountSchemas(config.passwordMinLength),
    clock: systemClock,
  });
}

/** Requests per second of one batch of sequential `GET /auth/me`. */
async function run(api: HttpApi): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < batch; i += 1) {
    const response = await api.dispatch(buildRequest({ path: '/api/v1/auth/me', token: 'user-token' }));
    if (response?.status !== 200) throw new Error(`unexpected ${response?.status}`);
  }
  return batch / ((performance.now() - start) / 1000);
}

const provider = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] });
const contextManager = new AsyncLocalStorageContextManager();
function tracing(on: boolean): void {
  if (on) {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(provider);
  } else {
    trace.disable();
    context.disable();
  }
}

const metrics = new PrometheusMetrics();
const variants = [
  { name: 'reference (no metrics, no provider)', api: pipeline(undefined), traced: false },
  { name: 'metrics (default, no provider)', api: pipeline(metrics), traced: false },
  { name: 'metrics + tracing provider', api: pipeline(new PrometheusMetrics()), traced: true },
];
const loadBefore = loadavg()[0]!;
// Warm-up: fill the caches and JIT every path.
for (const variant of variants) {
  tracing(variant.traced);
  await run(variant.api);
}
const samples = variants.map(() => [] as number[]);
for (let round = 0; round < rounds; round += 1) {
  // The order turns each round, so no variant always pays for the garbage of the one before.
  for (let step = 0; step < variants.length; step += 1) {
    const index = (round + step) % variants.length;
    tracing(variants[index]!.traced);
    samples[index]!.push(await run(variants[index]!.api));
  }
}
tracing(false);
const medians = samples.map((values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
printTable(
  ['Pipeline', 'Requests/s (median)', 'vs reference'],
  variants.map((variant, index) => [variant.name, Math.round(medians[index]!).toString(), `${(medians[index]! / medians[0]!).toFixed(3)}`]),
);

const scrapes: number[] = [];
for (let i = 0; i < 50; i += 1) {
  const start = performance.now();
  await metrics.exposition();
  scrapes.push(performance.now() - start);
}
const scrape = summarize(scrapes);
const perRequestMs = 1000 / medians[1]!;
console.log(`\nOne scrape after ${(rounds + 1) * batch} requests: median ${formatMs(scrape.medianMs)} (${(scrape.medianMs / perRequestMs).toFixed(1)} × one request).`);
// What a span costs when no provider is registered: inSpan around a trivial async call.
const calls = 200_000;
const work = async () => 1;
const timeCalls = async (call: () => Promise<number>) => {
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) await call();
  return (performance.now() - start) / calls;
};
const plain: number[] = [];
const spanned: number[] = [];
for (let round = 0; round < 5; round += 1) {
  plain.push(await timeCalls(work));
  spanned.push(await timeCalls(() => inSpan('bench', {}, work)));
}
const plainMs = summarize(plain).medianMs;
const spannedMs = summarize(spanned).medianMs;
console.log(`No-op span (no provider): ${((spannedMs - plainMs) * 1e6).toFixed(0)} ns per span over a plain async call (${(spannedMs / plainMs).toFixed(2)} ×).`);
// What the metrics calls of one cached request cost: a counter, a histogram and the cache counter.
const recorder = new PrometheusMetrics();
const records: number[] = [];
for (let round = 0; round < 5; round += 1) {
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) {
    recorder.cacheRequest('/api/v1/auth/me', 'hit');
    recorder.httpRequest('/api/v1/auth/me', 'GET', 200, 0.0003);
  }
  records.push((performance.now() - start) / calls);
}
const recordMs = summarize(records).medianMs;
console.log(`Metrics of one cached request: ${(recordMs * 1e6).toFixed(0)} ns (${((recordMs / perRequestMs) * 100).toFixed(2)} % of one request of the metrics run).`);
console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
