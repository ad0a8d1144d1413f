/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so they are typed against the DOM.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createExpressRouter } from '../../packages/express/src/index';
import { createManualClock } from '../../packages/core/src/clock/clock';
import { useTestCore } from '../../packages/core/src/testing/test-core';
import { chromiumAvailable, expectAccessible, guardPage, launchBrowser, type PageGuard } from './browser-kit';

const ADMIN = { username: 'mounted_admin', email: 'mounted@example.com', password: 'admin-password-1' };
const MINUTE = 60_000;

/**
 * The page's session on the real token routes: mounted by the host under a sub-path and
 * another API prefix (every URL is computed from the base the server writes into the page),
 * an expired access token renewed with the refresh token, and an ended session sending the
 * page back to the sign-in form. The core's clock is moved by the test, so no token has to
 * expire on its own time.
 */
describe('admin page in Chromium: its session on the token routes, under a host’s mount path', function () {
  this.timeout(120_000);
  const clock = createManualClock(new Date('2026-03-02T09:00:00Z'));
  const fixture = useTestCore({ limiterEnabled: false, apiPrefix: '/internal/v2', clock, accessTokenExpireMinutes: 15 });
  let browser: Browser;
  let server: Server;
  let api: string;
  let context: BrowserContext;
  let page: Page;
  let guard: PageGuard;
  const refreshes: number[] = [];

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    await fixture.core.services.users.createUser({ ...ADMIN, is_superuser: true });
    const app = express();
    app.use('/identity', createExpressRouter(fixture.core));
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/identity/internal/v2`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    guard = await guardPage(page, api);
    page.on('response', (response) => {
      if (response.url() === `${api}/auth/refresh`) refreshes.push(response.status());
    });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'passed') await guard.check();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const go = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  it('serves the page under the mount path and signs in through it', async () => {
    const response = await page.goto(`${api}/dashboard/`);
    expect(response!.status()).to.equal(200);
    await page.getByLabel('Username or email').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview').waitFor();
    await page.locator('[data-stat="total_users"] .stat-value', { hasText: '1' }).waitFor();
    await expectAccessible(page, 'overview under a mount path');
  });

  it('asks for the current password when the admin changes their own email, and says at once when it is wrong', async () => {
    const admin = await fixture.core.services.users.listUsers({ page: 1, size: 1, search: ADMIN.username });
    await page.evaluate((id) => (window.location.hash = `#/users/${id}`), admin.items[0]!.id);
    await heading(ADMIN.username).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('mounted.admin@example.org');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.field-error[data-field="current_password"]').waitFor();
    // A wrong one is the answer itself, not an expired token: shown at once, no refresh spent.
    await page.getByLabel('Current password', { exact: true }).fill('not-my-password-1');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Current password is incorrect' }).waitFor();
    expect(refreshes).to.deep.equal([]);
    await page.getByLabel('Current password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.locator('dd[data-field="email"]', { hasText: 'mounted.admin@example.org' }).waitFor();
  });

  it('renews an expired access token with the refresh token and retries the call', async () => {
    clock.advance(16 * MINUTE);
    await go('Users');
    await page.locator('#users-summary', { hasText: '1 user ·' }).waitFor();
    expect(refreshes).to.deep.equal([200]);
    // The renewed token works on: the next view needs no second refresh.
    await go('Audit log');
    await page.locator('table.audit tbody tr', { hasText: 'login.succeeded' }).first().waitFor();
    expect(refreshes).to.deep.equal([200]);
  });

  it('returns to the sign-in form when the session itself has ended', async () => {
    clock.advance(31 * 24 * 60 * MINUTE);
    await go('Users');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended. Sign in again.').waitFor();
    expect(refreshes).to.deep.equal([200, 401]);
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).to.deep.equal([0, 0]);
  });
});
