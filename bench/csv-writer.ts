/**
 * Our CSV writing (csvCell, the formula guard included) against csv-stringify on the same
 * user-export rows, in the same run; checks both write the same bytes, then prints the time
 * per 100k rows and the ratio. csv-stringify is not a dependency: install it anywhere and
 * point CSV_STRINGIFY at its sync entry (docs/decisions.md "CSV writing"):
 *
 *   npm install --prefix /tmp/csvbench csv-stringify
 *   CSV_STRINGIFY=/tmp/csvbench/node_modules/csv-stringify/dist/esm/sync.js npm run bench:csv
 *
 * BENCH_CSV_ROWS (default 100000), BENCH_CSV_ROUNDS (default 15).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
// Not part of the public API: the cell writer both exports use.
import { csvCell, guardFormula } from '../packages/core/src/services/csv-cell';
import { formatMs, summarize } from './lib/measure';

type Stringify = (records: unknown[][], options: Record<string, unknown>) => string;

const rowsWanted = Number(process.env.BENCH_CSV_ROWS ?? 100_000);
const rounds = Number(process.env.BENCH_CSV_ROUNDS ?? 15);
const entry = process.env.CSV_STRINGIFY;
if (!entry) throw new Error('set CSV_STRINGIFY to csv-stringify/dist/esm/sync.js (see the comment at the top)');
const { stringify } = (await import(pathToFileURL(entry).href)) as { stringify: Stringify };

// Rows shaped like the user export: text cells (some needing quotes or the guard), numbers,
// booleans and ISO times, which the export writes as they are.
const created = new Date('2026-01-15T10:30:00.000Z').toISOString();
const rows: Array<[number, string, string, string | null, boolean, boolean, boolean, string, string]> = Array.from(
  { length: rowsWanted },
  (_, i) => [
    i + 1,
    `user${i}@example.com`,
    i % 50 === 0 ? `-user_${i}` : `user_${i}`,
    i % 3 === 0 ? null : i % 20 === 0 ? `=HYPERLINK("x"), "Bob ${i}"` : `Seed User ${i}`,
    i % 10 !== 0,
    i % 100 === 0,
    false,
    created,
    created,
  ],
);

const text = (value: string | null) => (value === null ? '' : csvCell(value));
const ours = () =>
  rows.map((r) => `${r[0]},${text(r[1])},${text(r[2])},${text(r[3])},${r[4]},${r[5]},${r[6]},${r[7]},${r[8]}\r\n`).join('');
// Its own escape_formulas misses leading white space, `|` and the fullwidth pipe, so the
// guard is ours either way; csv-stringify then only quotes and joins.
const theirs = () =>
  stringify(
    rows.map((r) => [r[0], r[1], r[2], r[3] ?? '', r[4], r[5], r[6], r[7], r[8]]),
    { record_delimiter: 'windows', cast: { string: guardFormula, boolean: (value: boolean) => String(value) } },
  );

if (ours() !== theirs()) throw new Error('the two writers disagree: fix the options before comparing speed');

const once = (write: () => string) => {
  const start = performance.now();
  write();
  return performance.now() - start;
};
const loadBefore = loadavg()[0]!;
once(ours);
once(theirs); // warm both
// Interleaved runs, so a change in machine load hits both alike.
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < rounds; i += 1) {
  a.push(once(ours));
  b.push(once(theirs));
}
const oursMs = summarize(a).medianMs;
const theirsMs = summarize(b).medianMs;
console.log(`# bench:csv — ${rowsWanted} export rows, identical output`);
console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}\n`);
console.log('| writer | median per run | ratio |\n|---|---|---|');
console.log(`| ours (csvCell) | ${formatMs(oursMs)} | 1.00 |`);
console.log(`| csv-stringify (sync, our guard as cast.string) | ${formatMs(theirsMs)} | ${(theirsMs / oursMs).toFixed(2)} × ours |`);
