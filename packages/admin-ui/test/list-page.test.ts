import { expect } from 'chai';
import { hasNextPage, pageOfPages, usersSummary } from '../app/lib/list-page';
import type { Page } from '../app/lib/types';

const page = (fields: Partial<Page<unknown>>): Page<unknown> => ({ items: [], total: 0, page: 1, size: 25, pages: 0, ...fields });
const full = Array.from({ length: 25 }, (_, id) => ({ id }));

describe('the users table’s summary and pager', () => {
  it('states an exact total as it is', () => {
    expect(usersSummary(page({ total: 1, pages: 1, items: [{}] }), '')).to.equal('1 user · page 1 of 1');
    expect(usersSummary(page({ total: 1204, page: 2, pages: 49 }), 'ann')).to.equal('1,204 users matching “ann” · page 2 of 49');
    expect(usersSummary(page({}), 'nobody')).to.equal('0 users matching “nobody” · page 1 of 1');
    expect(pageOfPages(page({ total: 1204, page: 2, pages: 49 }))).to.equal('Page 2 of 49');
  });

  it('says "about" before an estimated total and the pages that follow from it, in words a screen reader reads', () => {
    const estimated = page({ total: 12_400, pages: 496, approximate: true, items: full });
    expect(usersSummary(estimated, '')).to.equal('about 12,400 users · page 1 of about 496');
    expect(usersSummary({ ...estimated, page: 3 }, 'ann')).to.equal('about 12,400 users matching “ann” · page 3 of about 496');
    expect(pageOfPages(estimated)).to.equal('Page 1 of about 496');
  });

  it('offers a next page before the last one, and past an estimated last page while pages come full', () => {
    expect(hasNextPage(page({ page: 1, pages: 2, items: full }))).to.equal(true);
    expect(hasNextPage(page({ page: 2, pages: 2, items: full }))).to.equal(false);
    expect(hasNextPage(page({ page: 496, pages: 496, approximate: true, items: full }))).to.equal(true);
    expect(hasNextPage(page({ page: 497, pages: 496, approximate: true, items: full.slice(3) }))).to.equal(false);
  });
});
