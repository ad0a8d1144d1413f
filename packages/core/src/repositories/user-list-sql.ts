import type { Sequelize } from 'sequelize';
import type { UserListQuery } from '../domain/types';
import type { UserFields } from '../domain/user-fields';
import type { Row } from './row-mappers';

/** Makes `%`, `_` and the escape character itself literal inside a LIKE pattern. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The ORDER BY of a list page: a sortable registry field (else `created_at`), then id, one direction. */
export interface ListOrder {
  column: string;
  direction: 'ASC' | 'DESC';
  /** The sort column's direction with its null placement: `ASC NULLS LAST` or `DESC NULLS FIRST` for a nullable field. */
  columnDirection: 'ASC' | 'DESC' | 'ASC NULLS LAST' | 'DESC NULLS FIRST';
}

/**
 * The page's order; only a registry field marked sortable can reach ORDER BY. Empty values
 * of a nullable field sort as the largest on both databases (last ascending, first
 * descending): PostgreSQL's own order, which its indexes serve, and which SQLite is told.
 */
export function listOrder(fields: UserFields, query: UserListQuery): ListOrder {
  const field = fields.sortable.find((candidate) => candidate.name === query.sort_by);
  const column = field ? field.name : 'created_at';
  const direction = query.sort_order === 'asc' ? 'ASC' : 'DESC';
  const columnDirection = field?.nullable ? (direction === 'ASC' ? 'ASC NULLS LAST' : 'DESC NULLS FIRST') : direction;
  return { column, direction, columnDirection };
}

/**
 * How a PostgreSQL statement writes the search (docs/decisions.md "Search plans"); all three
 * match the same rows:
 * - `indexed`: `column ILIKE '%term%'` OR-ed, the form the trigram indexes of migration 0007 serve;
 * - `planned`: the same OR wrapped in `IS TRUE`. The planner estimates it like `indexed` (from
 *   the columns' statistics) but no index can serve it, so planning skips the index paths
 *   (≈ 0.4 ms instead of 2–7 ms) and a page walks the sort index;
 * - `scan`: `lower(a || chr(1) || b || …) LIKE lower('%term%')`, one lowering and one match per
 *   row instead of three (≈ 2.7 × faster in a sequential scan). It has no statistics, so only a
 *   capped count over a broad search uses it, whose plan is a scan anyway. A term holding chr(1) could match across
 *   two fields: it gets `planned` instead.
 * SQLite ignores the form: it has no ILIKE, and `LOWER(column) LIKE LOWER(…)` scans.
 */
export type SearchForm = 'indexed' | 'planned' | 'scan';

/** The separator of the `scan` form's concatenation: a term without it cannot match across two fields. */
const FIELD_SEPARATOR = '\u0001';

/**
 * The list's filters and search as one SQL condition, shared by every statement of a list
 * call. Column names come from the registry (checked to be [a-z0-9_]); values go through
 * Sequelize's escaping for the dialect.
 */
export function listCondition(fields: UserFields, sequelize: Sequelize, query: UserListQuery, form: SearchForm = 'indexed', narrow?: string): string {
  const conditions: string[] = [];
  for (const field of fields.filterable) {
    const value = query[field.name];
    // Its typing omits booleans, which it escapes per dialect (true / 1).
    if (value !== undefined) conditions.push(`"${field.name}" = ${sequelize.escape(value as string)}`);
  }
  if (query.search && fields.searchable.length > 0) {
    conditions.push(searchCondition(fields, sequelize, query.search, form, narrow));
  }
  return conditions.length === 0 ? '1 = 1' : conditions.join(' AND ');
}

/**
 * The search alone, in `form` (the `scan` form unless the term holds its separator). With
 * `narrow`, one word of a term of several (the rarest, {@link searchWords}), the `indexed`
 * form looks only that word up in the indexes and checks the whole term on what they find:
 * every row holding the term holds each of its words, so the rows are the same, but a word
 * every row shares ("user" of "user 4242" in "Seed User N") no longer makes GIN read its
 * trigrams' posting lists of every row (docs/decisions.md "Search plans").
 */
export function searchCondition(fields: UserFields, sequelize: Sequelize, search: string, form: SearchForm, narrow?: string): string {
  if (form === 'indexed' && narrow !== undefined && narrow !== search && sequelize.getDialect() === 'postgres') {
    return `(${searchCondition(fields, sequelize, narrow, 'indexed')} AND ${searchCondition(fields, sequelize, search, 'planned')})`;
  }
  const pattern = sequelize.escape(`%${escapeLikePattern(search)}%`);
  const names = fields.searchable.map((field) => field.name);
  if (sequelize.getDialect() !== 'postgres') {
    // SQLite has no ILIKE; LOWER on both sides is its case-insensitive substring.
    return `(${names.map((name) => `LOWER("${name}") LIKE LOWER(${pattern}) ESCAPE '\\'`).join(' OR ')})`;
  }
  if (form === 'scan' && !search.includes(FIELD_SEPARATOR)) {
    // PostgreSQL's ILIKE is lower() on both sides and LIKE, so this matches what ILIKE does.
    const joined = names.map((name) => `COALESCE("${name}", '')`).join(' || chr(1) || ');
    return `lower(${joined}) LIKE lower(${pattern}) ESCAPE '\\'`;
  }
  const any = `(${names.map((name) => `"${name}" ILIKE ${pattern} ESCAPE '\\'`).join(' OR ')})`;
  return form === 'indexed' ? any : `(${any} IS TRUE)`;
}

/**
 * PostgreSQL, one statement and one pass over the matches: reads at most `limit + 1` of them
 * (id and sort column only), counts them and, when that count is within the limit (so every
 * match was read), also picks the ids of the requested page among them in list order. `ids`
 * is null when more than `limit` match. The CTE is read twice, so it is materialised once;
 * the page's InitPlan runs only when the CASE reaches it.
 */
export function cappedHitsSql(table: string, where: string, order: ListOrder, page: { limit: number; size: number; offset: number }): string {
  const by = `"${order.column}" ${order.columnDirection}, id ${order.direction}`;
  return `WITH hits AS MATERIALIZED (SELECT id, "${order.column}" FROM ${table} WHERE ${where} LIMIT ${page.limit + 1})
    SELECT n, CASE WHEN n <= ${page.limit} THEN
             (SELECT array_agg(id ORDER BY ${by}) FROM (SELECT id, "${order.column}" FROM hits ORDER BY ${by} LIMIT ${page.size} OFFSET ${page.offset}) AS p)
           END AS ids
      FROM (SELECT COUNT(*) AS n FROM hits) AS counted`;
}

/** The planner's row estimates of a list's condition, of its whole table and of each of `words`' conditions. */
export interface RowEstimate {
  matches: number;
  table: number;
  /** One per condition given to {@link estimateSql} after the list's (the search's words). */
  words?: number[];
}

/**
 * One EXPLAIN for the estimates of {@link RowEstimate}: the `UNION ALL` plans as one Append
 * whose children carry them. Give it the `planned` forms: they plan in well under a
 * millisecond and estimate the same rows as the `indexed` ones.
 */
export function estimateSql(table: string, where: string, words: readonly string[] = []): string {
  const more = words.map((condition) => ` UNION ALL SELECT 1 FROM ${table} WHERE ${condition}`).join('');
  return `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table} WHERE ${where} UNION ALL SELECT 1 FROM ${table}${more}`;
}

/**
 * The words of a term worth looking up on their own: at least two distinct whitespace-
 * separated words of three characters or more (what a trigram index can serve), else none.
 */
export function searchWords(search: string): string[] {
  const words = [...new Set(search.split(/\s+/).filter((word) => word.length >= TRIGRAM_LENGTH))];
  return words.length >= 2 ? words : [];
}

/**
 * The word of a multi-word term the indexes should look up ({@link searchCondition}'s
 * `narrow`): the one the planner expects to match fewest rows, when another is expected to
 * match more than `limit` (its trigrams' posting lists then cost more than the term's
 * selective ones save); else none.
 */
export function narrowingWord(words: readonly string[], estimates: readonly number[] | undefined, limit: number): string | undefined {
  if (words.length === 0 || estimates?.length !== words.length || Math.max(...estimates) <= limit) return undefined;
  return words[estimates.indexOf(Math.min(...estimates))];
}

interface PlanNode {
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

/** The top plan node of an `EXPLAIN (FORMAT JSON)` row (pg hands the JSON over as text or parsed). */
function topPlan(row: Row | undefined): PlanNode | undefined {
  const raw = row?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan?: PlanNode }> | undefined;
  return plan?.[0]?.Plan;
}

const rowsOf = (node: PlanNode | undefined) => {
  const rows = Number(node?.['Plan Rows']);
  return Number.isFinite(rows) ? Math.round(rows) : 0;
};

/** `Plan Rows` of the top node of an `EXPLAIN (FORMAT JSON)` row. */
export function plannedRows(row: Row | undefined): number {
  return rowsOf(topPlan(row));
}

/** The estimates of an {@link estimateSql} row. */
export function plannedEstimate(row: Row | undefined): RowEstimate {
  const [matches, table, ...words] = topPlan(row)?.Plans ?? [];
  return { matches: rowsOf(matches), table: rowsOf(table), words: words.map(rowsOf) };
}

/** pg_trgm looks terms up by three-character trigrams: a shorter term gets nothing from its indexes. */
export const TRIGRAM_LENGTH = 3;

/**
 * A broad search (docs/decisions.md "Search plans") is one the planner expects to match more
 * than the count's limit and at least 1 / this of the table: its capped count scans
 * {@link SAMPLE_FACTOR} × (limit + 1) rows at most (200,020 at the default limit), which hold
 * limit + 1 matches when the estimate is right. A trigram bitmap would cover every match and,
 * for a term of common trigrams, most of the table.
 */
export const SAMPLE_FACTOR = 20;

/** How the capped count reads a search: a {@link SearchForm}, or `sample` (the `scan` form over a bounded sample). */
export type CappedSearch = SearchForm | 'sample';

/**
 * The capped count's plan: `planned` for a term too short for trigrams (no index can serve
 * it, and the `planned` form's estimate lets the planner choose between a parallel scan of
 * the table and one that stops early; the `scan` form has no statistics, so its planner
 * expects a fifth of the table to match a two-letter term and never goes parallel); for a
 * broad search, `scan` when the whole table is within two samples, else `sample` (whose
 * count proves only a lower bound: with at most `limit` matches the caller counts again,
 * `indexed`); `indexed` otherwise.
 */
export function cappedSearch(search: string, limit: number, estimate: RowEstimate | undefined): CappedSearch {
  if (search.length < TRIGRAM_LENGTH) return 'planned';
  if (!estimate || estimate.matches <= limit || estimate.matches * SAMPLE_FACTOR < estimate.table) return 'indexed';
  return estimate.table * 2 <= SAMPLE_FACTOR * (limit + 1) ? 'scan' : 'sample';
}

/**
 * The FROM of a `sample` capped count: the first {@link SAMPLE_FACTOR} × (limit + 1) rows
 * passing the filters (`filters`), each with its search match as `hit`, for
 * {@link cappedHitsSql} with the condition `hit`. The LIMIT bounds the rows read whatever
 * matches; the outer condition cannot be pushed below it.
 */
export function sampleSql(table: string, filters: string, match: string, order: ListOrder, limit: number): string {
  return `(SELECT id, "${order.column}", ${match} AS hit FROM ${table} WHERE ${filters} LIMIT ${SAMPLE_FACTOR * (limit + 1)}) AS sample`;
}
