import { formatCount } from './format';
import type { Page } from './types';

/**
 * What the users table says about the page it shows. A total above the server's exact-count
 * limit is an estimate (`approximate`, docs/reference/routes.md "Totals"), and so are the
 * pages that follow from it: both read "about N", never as an exact figure.
 */

/** "1,204 users matching “ann” · page 2 of 49", or "about 12,400 users · page 1 of about 496". */
export function usersSummary(page: Page<unknown>, search: string): string {
  const noun = page.total === 1 && !page.approximate ? 'user' : 'users';
  const matching = search ? ` matching “${search}”` : '';
  return `${formatCount(page.total, page.approximate)} ${noun}${matching} · page ${page.page} of ${lastPage(page)}`;
}

/** The pager's "Page 2 of 49" / "Page 2 of about 496". */
export function pageOfPages(page: Page<unknown>): string {
  return `Page ${page.page} of ${lastPage(page)}`;
}

/**
 * Whether "Next page" may lead somewhere. An estimated `pages` may be short, and the server
 * still serves a page past it that has rows, so a full page of an estimated list always may.
 */
export function hasNextPage(page: Page<unknown>): boolean {
  return page.page < page.pages || (page.approximate === true && page.items.length === page.size);
}

function lastPage(page: Page<unknown>): string {
  return formatCount(Math.max(1, page.pages), page.approximate);
}
