import { performance } from 'node:perf_hooks';

/** The spread of one measured operation, in milliseconds. */
export interface Summary {
  iterations: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Timed runs (default 50). */
  iterations?: number;
  /** Untimed runs first, to fill caches and JIT the path (default 5). */
  warmup?: number;
}

/**
 * The value at quantile `q` (0..1) of an ascending array, by the nearest-rank method, so a
 * p95 over 20 samples is the 19th value rather than an interpolation nobody measured.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Median, p95, min and max of raw samples. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    iterations: sorted.length,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/**
 * Runs `operation` sequentially (never overlapping, so each sample is one call's latency)
 * and summarises the wall-clock time of each call.
 */
export async function measure(operation: () => Promise<unknown>, options: MeasureOptions = {}): Promise<Summary> {
  const { iterations = 50, warmup = 5 } = options;
  for (let i = 0; i < warmup; i += 1) await operation();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await operation();
    samples.push(performance.now() - start);
  }
  return summarize(samples);
}

/** A duration for a table cell: two decimals under 10 ms, one under 1 s, else seconds. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
