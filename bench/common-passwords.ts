/**
 * The common-password list: load time, memory and lookup cost of the Bloom filter the core
 * uses, against a plain Set of the same entries measured in the same run.
 *
 *   node --expose-gc --conditions=source --import tsx bench/common-passwords.ts
 */
import { performance } from 'node:perf_hooks';
import { BloomFilter, commonPasswordKey, readCommonPasswordList } from '../packages/core/src/schemas/common-passwords';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  const usage = process.memoryUsage();
  // The filter's bits live in an ArrayBuffer, outside the JS heap.
  return usage.heapUsed + usage.arrayBuffers;
}

function build<T>(make: (entries: string[]) => T): { value: T; ms: number; mib: number } {
  const before = heap();
  const started = performance.now();
  const value = make(readCommonPasswordList());
  const ms = performance.now() - started;
  return { value, ms, mib: (heap() - before) / 1_048_576 };
}

const set = build((entries) => new Set(entries));
const bloom = build((entries) => {
  const filter = new BloomFilter(entries.length);
  for (const entry of entries) filter.add(entry);
  return filter;
});

const probes = Array.from({ length: 200_000 }, (_, i) => commonPasswordKey(i % 2 ? `not-listed-${i}-passphrase` : `password${i % 1000}`));
function lookupNs(has: (value: string) => boolean): number {
  let hits = 0;
  const started = performance.now();
  for (const probe of probes) if (has(probe)) hits += 1;
  if (hits < 0) throw new Error('unreachable');
  return ((performance.now() - started) * 1e6) / probes.length;
}
const setNs = lookupNs((value) => set.value.has(value));
const bloomNs = lookupNs((value) => bloom.value.has(value));

console.log(`entries: ${set.value.size} distinct`);
console.log('| structure | build (ms) | heap (MiB) | lookup (ns) |');
console.log('|---|---|---|---|');
console.log(`| Set (reference) | ${set.ms.toFixed(0)} | ${set.mib.toFixed(1)} | ${setNs.toFixed(0)} |`);
console.log(`| Bloom filter | ${bloom.ms.toFixed(0)} | ${bloom.mib.toFixed(1)} | ${bloomNs.toFixed(0)} |`);
console.log(`| ratio Bloom / Set | ${(bloom.ms / set.ms).toFixed(2)} | ${(bloom.mib / set.mib).toFixed(2)} | ${(bloomNs / setNs).toFixed(2)} |`);
