/// <reference lib="dom" />
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { createExpressRouter } from '../../packages/express/src/index';
import { testDatabaseTargets } from '../../packages/core/src/testing/test-databases';
import { useTestCore } from '../../packages/core/src/testing/test-core';
import { chromiumAvailable, expectAccessible, guardPage, launchBrowser, type PageGuard } from './browser-kit';

const ADMIN = { username: 'estimate_admin', email: 'estimate@example.com', password: 'admin-password-1' };
const postgres = testDatabaseTargets().find((target) => target.name === 'postgres');

/**
 * A list above `LIST_EXACT_COUNT_LIMIT` on PostgreSQL, where its total is the planner's
 * estimate (docs/reference/routes.md "Totals"): the table says "about", in its text, for eye
 * and screen reader alike. The limit is set to 2 so four users are enough. SQLite always
 * counts exactly, so without `TEST_DATABASE_URL` there is nothing to see.
 */
describe('admin page in Chromium: an estimated user total', function () {
  this.timeout(120_000);
  const fixture = useTestCore({ limiterEnabled: false, listExactCountLimit: 2 }, postgres);
  let browser: Browser;
  let server: Server;
  let api: string;
  let page: Page;
  let guard: PageGuard;

  before(async function () {
    if (!postgres || !chromiumAvailable()) {
      console.warn('    (skipped: needs TEST_DATABASE_URL, PostgreSQL, and Chromium at /usr/bin/chromium)');
      this.skip();
    }
    const { users } = fixture.core.services;
    await users.createUser({ ...ADMIN, is_superuser: true });
    for (const n of [1, 2, 3]) await users.createUser({ username: `counted${n}`, email: `counted${n}@example.com`, password: 'member-password-1' });
    server = createServer(express().use(createExpressRouter(fixture.core)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    guard = await guardPage(page, api);
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('shows "about N users" and "of about N" pages, and exact figures once a search narrows below the limit', async () => {
    await page.goto(`${api}/dashboard/`);
    await page.getByLabel('Username or email').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click();
    const summary = page.locator('#users-summary', { hasText: 'about' });
    await summary.waitFor();
    // The planner's figure for a small, fresh table is its own; only "about" and the form are sure.
    expect(await summary.textContent()).to.match(/^about [\d,]+ users · page 1 of about [\d,]+$/);
    await page.getByRole('navigation', { name: 'Pages' }).getByText(/^Page 1 of about [\d,]+$/).waitFor();
    await expectAccessible(page, 'users with an estimated total');
    await page.getByLabel('Search username, email or name').fill('counted1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#users-summary', { hasText: '1 user matching “counted1” · page 1 of 1' }).waitFor();
    expect(await page.locator('#users-summary').textContent()).not.to.include('about');
    await guard.check();
  });
});
