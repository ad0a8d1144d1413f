import type { Sequelize } from 'sequelize';
import type { UserListQuery } from '../domain/types';
import type { UserFields } from '../domain/user-fields';
import type { Row } from './row-mappers';
import {
  cappedHitsSql,
  cappedSearch,
  estimateSql,
  listCondition,
  narrowingWord,
  plannedEstimate,
  plannedRows,
  sampleSql,
  searchCondition,
  searchWords,
  TRIGRAM_LENGTH,
  type ListOrder,
  type SearchForm,
} from './user-list-sql';

/** What a list call needs of PostgreSQL to count and find its page. */
export interface CappedListContext {
  fields: UserFields;
  sequelize: Sequelize;
  /** The quoted users table. */
  table: string;
  /** `LIST_EXACT_COUNT_LIMIT`, above 0. */
  limit: number;
  select(sql: string): Promise<Row[]>;
}

/**
 * The matches of a list call: the page's ids and the exact total when at most `limit` match,
 * else the estimated total and the condition the page's own `ORDER BY … LIMIT` statement
 * should use (the `planned` form: it walks the sort index rather than a trigram bitmap of
 * every match).
 */
export type CappedMatches = { exact: true; total: number; ids: number[] } | { exact: false; total: number; where: string };

/**
 * Counts a list's matches up to `limit` + 1 on PostgreSQL (docs/decisions.md "Totals of the
 * user list", "Search plans"). A search of three characters or more is estimated first, in
 * the `planned` form (well under a millisecond of planning), to choose how the count reads
 * it ({@link cappedSearch}); the estimate then also serves as the total past the limit.
 */
export async function cappedMatches(context: CappedListContext, query: UserListQuery, order: ListOrder, offset: number): Promise<CappedMatches> {
  const { fields, sequelize, table, limit, select } = context;
  const search = query.search && fields.searchable.length > 0 ? query.search : undefined;
  const words = search === undefined ? [] : searchWords(search);
  const wordConditions = words.map((word) => searchCondition(fields, sequelize, word, 'planned'));
  const estimate =
    search !== undefined && search.length >= TRIGRAM_LENGTH
      ? plannedEstimate((await select(estimateSql(table, listCondition(fields, sequelize, query, 'planned'), wordConditions)))[0])
      : undefined;
  const narrow = narrowingWord(words, estimate?.words, limit);
  const condition = (form?: SearchForm) => listCondition(fields, sequelize, query, form, narrow);
  const plan = search === undefined ? 'indexed' : cappedSearch(search, limit, estimate);
  const page = { limit, size: query.size, offset };
  const hitsOf = async (from: string, where: string) => {
    const [hits] = await select(cappedHitsSql(from, where, order, page));
    return { n: Number(hits?.n ?? 0), ids: (hits?.ids as number[] | null) ?? [] };
  };
  let hits;
  if (plan === 'sample') {
    const filters = listCondition(fields, sequelize, { ...query, search: undefined });
    hits = await hitsOf(sampleSql(table, filters, searchCondition(fields, sequelize, search!, 'scan'), order, limit), 'hit');
    // At most `limit` matches in the sample proves nothing about the rest of the table.
    if (hits.n <= limit) hits = await hitsOf(table, condition('indexed'));
  } else {
    hits = await hitsOf(table, condition(plan));
  }
  if (hits.n <= limit) return { exact: true, total: hits.n, ids: hits.ids };
  const where = condition('planned');
  const matches = estimate?.matches ?? plannedRows((await select(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table} WHERE ${where}`))[0]);
  return { exact: false, total: Math.max(limit + 1, matches), where };
}
