/**
 * Memory-cache benchmark: MemoryCache (on lru-cache) against the hand-written Map LRU it
 * replaced (reproduced below as the reference: TTL checked on read, re-insertion for recency,
 * first key evicted), measured in the same run. Both store JSON strings, as the port
 * requires copies. Prints a Markdown table; the ratio is lru-cache ÷ Map.
 *
 *   node --import tsx bench/memory-cache.ts
 *
 * Environment: BENCH_CACHE_OPS (default 500000 per measurement), BENCH_CACHE_KEYS (distinct
 * keys, default 20000, twice the default 10 000 entries so evictions happen).
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { MemoryCache } from '@app/core';
import { printTable } from './lib/table';

const ops = Number(process.env.BENCH_CACHE_OPS ?? 500_000);
const keys = Number(process.env.BENCH_CACHE_KEYS ?? 20_000);
const MAX = 10_000;

/** The previous in-house LRU, without its tombstones (which the versioned design removed). */
class MapLru {
  private readonly entries = new Map<string, { json: string; expiresAt: number }>();
  constructor(private readonly max: number) {}
  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as T;
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: Date.now() + ttlSeconds * 1000 });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}

type Store = { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown, ttl: number): Promise<void> };

const body = { id: 1, email: 'user@example.com', username: 'user', full_name: 'A User', is_active: true, is_superuser: false };

/** Operations per second of a read-through mix: get, and set on a miss. */
async function measure(store: Store, hotKeys: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ops; i += 1) {
    const key = `users:${(i * 7919) % hotKeys}`;
    if ((await store.get(key)) === undefined) await store.set(key, body, 60);
  }
  return ops / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  console.log(`# bench:memory-cache\n\n${ops.toLocaleString('en')} operations per run, max ${MAX} entries; load average ${loadavg()[0]!.toFixed(2)}\n`);
  const rows: string[][] = [];
  for (const [label, hot] of [['all hits (5,000 keys)', 5000], [`evicting (${keys.toLocaleString('en')} keys)`, keys]] as const) {
    const results = { map: [] as number[], lru: [] as number[] };
    for (let round = 0; round < 3; round += 1) {
      results.map.push(await measure(new MapLru(MAX), hot));
      const cache = new MemoryCache({ maxEntries: MAX });
      results.lru.push(await measure(cache, hot));
      await cache.close();
    }
    const best = (values: number[]) => Math.max(...values);
    rows.push([label, best(results.map).toFixed(0), best(results.lru).toFixed(0), (best(results.lru) / best(results.map)).toFixed(2)]);
  }
  printTable(['workload', 'Map LRU ops/s', 'lru-cache ops/s', 'lru-cache ÷ Map'], rows);
}

await main();
