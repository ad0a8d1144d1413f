/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so they are typed against the DOM.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { useTestCore } from '../../packages/core/src/testing/test-core';
import { createApp } from '../../examples/server/src/app';
import { chromiumAvailable, expectAccessible, guardPage, launchBrowser, screenshot, type PageGuard } from './browser-kit';

const ADMIN = { username: 'contract_admin', email: 'contract@example.com', password: 'admin-password-1' };

/**
 * The page's views of routes that docs/reference/routes.md announces but this server may not
 * have yet (signups per day, a user's sessions, the audit log, the reset mail, refresh
 * tokens). The browser answers those calls itself, with bodies shaped as the contract says,
 * so the page's side is tested now; everything else goes to the real server.
 */
describe('admin page in Chromium, against the contract of the routes still to come', function () {
  this.timeout(120_000);
  // Another prefix than the default, so the page is seen to compute every URL from it.
  const fixture = useTestCore({ limiterEnabled: false, apiPrefix: '/internal/v2' });
  let browser: Browser;
  let server: Server;
  let api: string;
  let context: BrowserContext;
  let page: Page;
  let guard: PageGuard;
  let subjectId: number;
  const calls: string[] = [];

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    await fixture.core.services.users.createUser({ ...ADMIN, is_superuser: true });
    subjectId = (await fixture.core.services.users.createUser({ email: 'subject@example.com', username: 'subject', password: 'subject-password-1' })).id;
    server = createServer(await createApp(fixture.core, { framework: 'express', trustProxy: false }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/v2`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    guard = await guardPage(page, api);
    await answerAsTheContractSays(page, api, calls);
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

  it('refreshes an expired access token with the refresh token, then retries the call', async () => {
    await page.goto(`${api}/dashboard/`);
    await page.getByLabel('Username or email').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview').waitFor();
    await page.locator('[data-stat="total_users"] .stat-value', { hasText: '2' }).waitFor();
    expect(calls.filter((call) => call.startsWith('POST /auth/refresh'))).to.deep.equal(['POST /auth/refresh refresh-1']);
  });

  it('draws the signups chart, with the figures in a table', async () => {
    await page.locator('.chart figcaption').waitFor();
    expect(await page.locator('.chart svg rect.chart-bar').count()).to.equal(30);
    expect(await page.locator('.chart figcaption').textContent()).to.equal('435 signups in 30 days, at most 29 in one day.');
    await page.getByLabel('Days', { exact: true }).selectOption('7');
    await page.locator('.chart figcaption', { hasText: 'in 7 days' }).waitFor();
    await expectAccessible(page, 'overview with chart');
    await screenshot(page, 'contract', 'overview');
  });

  it('lists a user’s sessions and revokes them all; shows the user’s audit trail; sends a reset mail', async () => {
    await page.evaluate((id) => (window.location.hash = `#/users/${id}`), subjectId);
    await heading('subject').waitFor();
    const sessions = page.locator('section[aria-labelledby="sessions-title"]');
    await sessions.locator('tbody tr').first().waitFor();
    expect(await sessions.locator('tbody tr').count()).to.equal(2);
    await sessions.getByRole('button', { name: 'Revoke all sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Every session of this user has ended.' }).waitFor();
    await sessions.getByText('No active sessions.').waitFor();
    const trail = page.locator('section[aria-labelledby="user-audit-title"]');
    await trail.locator('tbody tr').first().waitFor();
    expect(calls).to.include(`GET /audit-events subject_user_id=${subjectId}`);
    await page.getByRole('button', { name: 'Send password reset' }).click();
    await page.getByRole('status').filter({ hasText: 'A password reset link was sent to subject@example.com.' }).waitFor();
    expect(calls).to.include('POST /auth/password-reset/request subject@example.com');
    await expectAccessible(page, 'user page with sessions and audit');
    await screenshot(page, 'contract', 'user');
  });

  it('filters the audit log and pages it by cursor, back and forth', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await heading('Audit log').waitFor();
    await page.getByLabel('Event type').fill('user.updated');
    await page.getByLabel('Since (UTC)').fill('2026-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('table.audit[aria-busy="false"] tbody tr', { hasText: 'user.updated' }).first().waitFor();
    expect(calls).to.include('GET /audit-events type=user.updated since=2026-01-01T00:00:00.000Z');
    const firstId = async () => page.locator('table.audit tbody tr td:nth-child(6)').first().textContent();
    expect(await firstId()).to.include('"page":1');
    await page.getByRole('button', { name: 'Older' }).click();
    await page.locator('table.audit[aria-busy="false"] tbody tr td', { hasText: '"page":2' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).to.equal(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.locator('table.audit[aria-busy="false"] tbody tr td', { hasText: '"page":1' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Newer' }).isDisabled()).to.equal(true);
    await expectAccessible(page, 'audit log with events');
    await screenshot(page, 'contract', 'audit-log');
  });
});

/** Answers the routes of the contract in the browser; records each call as `METHOD /path key`. */
async function answerAsTheContractSays(page: Page, api: string, calls: string[]): Promise<void> {
  const prefix = new URL(api).pathname;
  const json = (route: Route, status: number, body?: unknown) =>
    route.fulfill({ status, contentType: 'application/json', body: body === undefined ? '' : JSON.stringify(body) });
  let sessionsLeft = 2;
  let expiredOnce = false;
  let accessToken = '';

  await page.route(
    (url) => url.pathname.startsWith(prefix),
    async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      const path = url.pathname.slice(prefix.length);
      const query = url.searchParams;
      if (path === '/auth/login') {
        // The real login, plus the refresh token the Token body carries.
        const response = await route.fetch();
        const token = (await response.json()) as { access_token: string };
        accessToken = token.access_token;
        return json(route, response.status(), { ...token, refresh_token: 'refresh-1', refresh_expires_in: 604_800 });
      }
      if (path === '/dashboard/stats' && !expiredOnce) {
        expiredOnce = true;
        return json(route, 401, { error: 'authentication_error', message: 'Token expired', details: [], request_id: 'r' });
      }
      if (path === '/auth/refresh') {
        calls.push(`POST /auth/refresh ${(request.postDataJSON() as { refresh_token: string }).refresh_token}`);
        return json(route, 200, { access_token: accessToken, token_type: 'bearer', expires_in: 900, refresh_token: 'refresh-2', refresh_expires_in: 604_800 });
      }
      if (path === '/dashboard/signups') {
        const days = Number(query.get('days'));
        const start = Date.UTC(2026, 0, 1);
        return json(route, 200, {
          days: Array.from({ length: days }, (_, index) => ({ date: new Date(start + index * 86_400_000).toISOString().slice(0, 10), count: index })),
        });
      }
      const sessions = /^\/users\/(\d+)\/sessions$/.exec(path);
      if (sessions && request.method() === 'DELETE') {
        sessionsLeft = 0;
        return json(route, 204);
      }
      if (sessions) {
        const session = (id: number) => ({ id, created_at: '2026-01-02T10:00:00.000Z', expires_at: '2026-01-09T10:00:00.000Z', last_used_at: null, ip_address: '203.0.113.9', user_agent: 'Firefox' });
        return json(route, 200, Array.from({ length: sessionsLeft }, (_, index) => session(index + 1)));
      }
      if (path === '/audit-events') {
        const filters = ['subject_user_id', 'type', 'since'].filter((name) => query.has(name)).map((name) => `${name}=${query.get(name)}`);
        calls.push(`GET /audit-events ${filters.join(' ')}`);
        const pageNumber = query.get('cursor') === 'c2' ? 2 : 1;
        const event = (id: number) => ({
          id,
          type: query.get('type') ?? 'user.created',
          occurred_at: '2026-01-03T08:00:00.000Z',
          actor_user_id: 1,
          subject_user_id: Number(query.get('subject_user_id') ?? 2),
          ip_address: '203.0.113.9',
          user_agent: 'Firefox',
          request_id: `req-${id}`,
          details: { page: pageNumber, fields: ['email'] },
        });
        return json(route, 200, { items: [event(pageNumber * 10 + 1), event(pageNumber * 10 + 2)], next_cursor: pageNumber === 1 ? 'c2' : null });
      }
      if (path === '/auth/password-reset/request') {
        calls.push(`POST /auth/password-reset/request ${(request.postDataJSON() as { email: string }).email}`);
        return json(route, 202, { message: 'If that email is registered, a reset link is on its way.' });
      }
      return route.continue();
    },
  );
}
