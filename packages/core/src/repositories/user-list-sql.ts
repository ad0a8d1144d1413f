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
 * The list's filters and search as one SQL condition, shared by every statement of a list
 * call. Column names come from the registry (checked to be [a-z0-9_]); values go through
 * Sequelize's escaping for the dialect.
 */
export function listCondition(fields: UserFields, sequelize: Sequelize, query: UserListQuery): string {
  const conditions: string[] = [];
  for (const field of fields.filterable) {
    const value = query[field.name];
    // Its typing omits booleans, which it escapes per dialect (true / 1).
    if (value !== undefined) conditions.push(`"${field.name}" = ${sequelize.escape(value as string)}`);
  }
  if (query.search && fields.searchable.length > 0) {
    const pattern = sequelize.escape(`%${escapeLikePattern(query.search)}%`);
    // PostgreSQL: `column ILIKE '%term%'` is what the pg_trgm GIN indexes of migration 0007
    // serve. SQLite has no ILIKE; LOWER on both sides is its case-insensitive substring.
    const like =
      sequelize.getDialect() === 'postgres'
        ? (column: string) => `"${column}" ILIKE ${pattern} ESCAPE '\\'`
        : (column: string) => `LOWER("${column}") LIKE LOWER(${pattern}) ESCAPE '\\'`;
    conditions.push(`(${fields.searchable.map((field) => like(field.name)).join(' OR ')})`);
  }
  return conditions.length === 0 ? '1 = 1' : conditions.join(' AND ');
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

/** `Plan Rows` of the top node of an `EXPLAIN (FORMAT JSON)` row (pg hands the JSON over as text or parsed). */
export function plannedRows(row: Row | undefined): number {
  const raw = row?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan?: { 'Plan Rows'?: number } }> | undefined;
  const rows = Number(plan?.[0]?.Plan?.['Plan Rows']);
  return Number.isFinite(rows) ? Math.round(rows) : 0;
}
