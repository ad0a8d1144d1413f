/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so they are typed against the DOM.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Sequelize } from 'sequelize';
import { MemoryOutbox } from '../../packages/core/src/mail/memory-outbox';
import { useTestCore } from '../../packages/core/src/testing/test-core';
import { createApp, readFramework, type Framework } from '../../examples/server/src/app';
import { chromiumAvailable, expectAccessible, guardPage, launchBrowser, screenshot, type PageGuard } from './browser-kit';

// One scenario per adapter whose steps share one signed-in page (tokens live in the page's
// memory), which is why this file runs past 300 lines rather than signing in per file.

/** Every adapter the example app can run on: Fastify joins once its package and the app support it. */
function frameworks(): Framework[] {
  const names = ['express', 'koa', ...(existsSync(new URL('../../packages/fastify', import.meta.url)) ? ['fastify'] : [])];
  return names.filter((name) => {
    try {
      return readFramework({ HTTP_FRAMEWORK: name }) === name;
    } catch {
      return false;
    }
  }) as Framework[];
}

const ADMIN = { username: 'root_admin', email: 'root@example.com', password: 'admin-password-1' };
const MEMBER = { username: 'plain_member', email: 'plain@example.com', password: 'member-password-1' };
/** How long one UI state may take to appear on a busy machine. */
const WAIT = 15_000;
const DAY = 86_400_000;
/** The seeded members signed up over the last 12 UTC days: member N, N mod 12 days ago. */
const SEEDED = Array.from({ length: 55 }, (_, i) => i + 1);
const daysAgo = (index: number) => index % 12;

/**
 * Moves the seeded members' signups back by whole days, straight in the database (no route
 * may set `created_at`), so the signups chart has a fortnight to draw.
 */
async function backdateSignups(url: string): Promise<void> {
  const database = new Sequelize(url, { logging: false });
  try {
    for (const index of SEEDED.filter((i) => daysAgo(i) > 0)) {
      await database.query('UPDATE users SET created_at = :at WHERE username = :username', {
        replacements: { at: new Date(Date.now() - daysAgo(index) * DAY), username: `member${String(index).padStart(2, '0')}` },
      });
    }
  } finally {
    await database.close();
  }
}

describe('admin page in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  before(async function () {
    if (!chromiumAvailable()) {
      console.warn('    (skipped: no Chromium at /usr/bin/chromium; `apt-get install chromium` to run them)');
      this.skip();
    }
    browser = await launchBrowser();
  });
  after(async () => browser?.close());

  for (const framework of frameworks()) {
    describe(`on ${framework}`, () => {
      // A bulk maximum of 2 makes the three-row import below go out in two batches.
      const outbox = new MemoryOutbox();
      const fixture = useTestCore({ limiterEnabled: false, bulkMax: 2, mailer: outbox });
      let server: Server;
      let origin: string;
      let api: string;
      let context: BrowserContext;
      let page: Page;
      let guard: PageGuard;

      before(async () => {
        const { users } = fixture.core.services;
        await users.createUser({ ...ADMIN, is_superuser: true });
        await users.createUser(MEMBER);
        // 55 more, so the table has three pages of 25 and a search has something to narrow.
        for (let index = 1; index <= 55; index += 1) {
          const n = String(index).padStart(2, '0');
          await users.createUser({ email: `member${n}@example.com`, username: `member${n}`, password: 'member-password-1', full_name: `Member ${n}` });
        }
        await backdateSignups(fixture.core.config.database.url);
        server = createServer(await createApp(fixture.core, { framework, trustProxy: false }));
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        api = `${origin}/api/v1`;
        context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
        context.setDefaultTimeout(WAIT);
        page = await context.newPage();
        guard = await guardPage(page, api);
      });
      afterEach(async function () {
        if (this.currentTest?.state === 'passed') await guard.check();
      });
      after(async () => {
        await context?.close();
        server?.closeAllConnections();
        await new Promise((resolve) => server?.close(resolve));
      });

      const signIn = async (who: { username: string; password: string }) => {
        await page.getByLabel('Username or email').fill(who.username);
        await page.getByLabel('Password').fill(who.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      };
      const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
      const summary = (text: string | RegExp) => page.locator('#users-summary', { hasText: text }).waitFor();
      const field = (name: string) => page.locator(`dd[data-field="${name}"]`);
      const go = async (name: string) => {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
      };

      it('answers both shell paths and the assets with their content types, CSP and caching', async () => {
        for (const path of ['/dashboard', '/dashboard/']) {
          const response = await fetch(`${api}${path}`);
          expect(response.status, path).to.equal(200);
          expect(response.headers.get('content-type'), path).to.equal('text/html; charset=utf-8');
          expect(response.headers.get('content-security-policy'), path).to.equal(
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
          );
          const html = await response.text();
          const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
          for (const asset of assets) {
            const file = await fetch(`${origin}${asset}`);
            expect(file.status, asset).to.equal(200);
            expect(file.headers.get('content-type'), asset).to.match(/^(text\/javascript|text\/css|image\/svg\+xml)/);
            expect(file.headers.get('cache-control'), asset).to.equal('public, max-age=31536000, immutable');
          }
        }
        const missing = await fetch(`${api}/dashboard/assets/..%2F..%2Fpackage.json`);
        expect(missing.status).to.equal(404);
        expect(missing.headers.get('cache-control')).to.equal('no-store');
      });

      it('serves the API reference with its CSP and no console error', async () => {
        const response = await page.goto(`${api}/docs`);
        expect(response!.status()).to.equal(200);
        expect(response!.headers()['content-security-policy']).to.match(/^default-src 'self';/).and.not.include('unsafe');
        await page.locator('.opblock').first().waitFor();
        expect(await page.locator('.opblock').count()).to.be.greaterThan(15);
        await screenshot(page, framework, 'api-reference');
      });

      it('opens /dashboard/data-entry on sign-in, refusing a user who is not a superuser', async () => {
        const response = await page.goto(`${api}/dashboard/data-entry`);
        expect(response!.headers()['content-type']).to.equal('text/html; charset=utf-8');
        expect(response!.headers()['content-security-policy']).to.match(/^default-src 'self';/).and.not.include('unsafe');
        await heading(/admin$/).waitFor();
        await expectAccessible(page, 'sign-in');
        await screenshot(page, framework, 'sign-in');
        await signIn({ username: 'root_admin', password: 'wrong-password-1' });
        await page.getByRole('alert').filter({ hasText: 'Invalid username/email or password' }).waitFor();
        await signIn(MEMBER);
        await page.getByRole('alert').filter({ hasText: 'not a superuser' }).waitFor();
        await signIn(ADMIN);
        await heading('Create user').waitFor();
        expect(page.url()).to.match(/#\/users\/new$/);
      });

      it('creates a user, showing the API validation message beside the field first', async () => {
        // The form is built from the OpenAPI document's admin create body: every field, with its rule.
        for (const label of ['Email', 'Username', 'Full name', 'Password', 'Active', 'Superuser', 'Email verified']) {
          await page.getByLabel(label, { exact: true }).waitFor();
        }
        expect(await page.getByLabel('Active', { exact: true }).isChecked(), 'the server’s default').to.equal(true);
        await page.getByLabel('Email', { exact: true }).fill('new.person@example.com');
        await page.getByLabel('Username', { exact: true }).fill('new_person');
        await page.getByLabel('Full name', { exact: true }).fill('New Person');
        await page.getByLabel('Password', { exact: true }).fill('short');
        await page.getByLabel('Superuser', { exact: true }).check();
        await page.getByRole('button', { name: 'Create user' }).click();
        const error = page.locator('.field-error[data-field="password"]');
        await error.waitFor();
        expect(await error.textContent()).to.match(/8/);
        expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).to.equal('true');
        await expectAccessible(page, 'create user (invalid)');
        await screenshot(page, framework, 'create-user-invalid');
        await page.getByLabel('Password', { exact: true }).fill('long-enough-password-1');
        await page.getByRole('button', { name: 'Create user' }).click();
        await heading('new_person').waitFor();
        await page.getByRole('status').filter({ hasText: 'Created user new_person' }).waitFor();
        expect(await field('is_superuser').textContent()).to.equal('Yes');
        expect(await field('full_name').textContent()).to.equal('New Person');
        const created = await fixture.core.services.users.listUsers({ page: 1, size: 1, search: 'new_person' });
        expect(created.items[0]).to.include({ full_name: 'New Person', is_superuser: true, is_active: true });
      });

      it('deactivates and reactivates the user, and sends a password reset mail from the quick action', async () => {
        await page.getByRole('button', { name: 'Deactivate' }).click();
        await page.getByRole('status').filter({ hasText: 'Deactivated' }).waitFor();
        expect(await field('is_active').textContent()).to.equal('No');
        const row = await fixture.core.services.users.listUsers({ page: 1, size: 1, search: 'new_person' });
        expect(row.items[0]!.is_active).to.equal(false);
        await page.getByRole('button', { name: 'Activate' }).click();
        await page.getByRole('status').filter({ hasText: 'Activated' }).waitFor();
        await page.getByRole('button', { name: 'Send password reset' }).click();
        await page.getByRole('status').filter({ hasText: 'A password reset link was sent to new.person@example.com.' }).waitFor();
        // The mail goes out after the answer, in the transaction that records its event.
        await outbox.waitFor((mail) => mail.to === 'new.person@example.com' && mail.kind === 'password_reset');
        // The user's own audit trail shows what was just done, newest first.
        const trail = page.locator('section[aria-labelledby="user-audit-title"]');
        await trail.getByRole('button', { name: 'Refresh' }).click();
        await trail.locator('tbody tr', { hasText: 'password.reset_requested' }).waitFor();
        for (const type of ['user.created', 'user.updated']) await trail.locator('tbody tr', { hasText: type }).first().waitFor();
      });

      it('lists the sessions of a user who signed in through the API, and revokes them', async () => {
        const login = await fetch(`${api}/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'scenario-client/1.0' },
          body: JSON.stringify({ username: MEMBER.username, password: MEMBER.password }),
        });
        expect(login.status).to.equal(200);
        const { access_token: access } = (await login.json()) as { access_token: string };
        const me = () => fetch(`${api}/auth/me`, { headers: { Authorization: `Bearer ${access}` } });
        expect((await me()).status).to.equal(200);
        const member = await fixture.core.services.users.listUsers({ page: 1, size: 1, search: MEMBER.username });
        await page.evaluate((id) => (window.location.hash = `#/users/${id}`), member.items[0]!.id);
        await heading(MEMBER.username).waitFor();
        const sessions = page.locator('section[aria-labelledby="sessions-title"]');
        await sessions.locator('tbody tr', { hasText: 'scenario-client/1.0' }).waitFor();
        expect(await sessions.locator('tbody tr').count()).to.equal(1);
        await page.locator('section[aria-labelledby="user-audit-title"] tbody tr', { hasText: 'login.succeeded' }).first().waitFor();
        await expectAccessible(page, 'user page');
        await screenshot(page, framework, 'user');
        await sessions.getByRole('button', { name: 'Revoke all sessions' }).click();
        await page.getByRole('status').filter({ hasText: 'Every session of this user has ended.' }).waitFor();
        await sessions.getByText('No active sessions.').waitFor();
        expect((await me()).status, 'the revoked access token').to.equal(401);
        await page.locator('section[aria-labelledby="user-audit-title"] tbody tr', { hasText: 'session.revoked' }).waitFor();
      });

      it('searches, sorts and pages the users, asking the server for one page at a time', async () => {
        const asked: string[] = [];
        page.on('request', (request) => {
          if (request.url().startsWith(`${api}/users?`)) asked.push(request.url());
        });
        await go('Users');
        await heading('Users').waitFor();
        await summary('58 users ·');
        await page.getByLabel('Search username, email or name').fill('member0');
        await page.getByRole('button', { name: 'Search' }).click();
        await summary('9 users matching “member0”');
        await page.getByLabel('Search username, email or name').fill('');
        await page.getByRole('button', { name: 'Search' }).click();
        await summary('58 users ·');
        await page.getByRole('button', { name: /^Username/ }).click();
        // Sorted and loaded: the header says so and the rows are the answer to that query.
        await page.locator('table.users[aria-busy="false"]:has(th[aria-sort="ascending"]:has-text("Username"))').waitFor();
        expect(await page.locator('table.users tbody tr td:nth-child(2)').first().textContent()).to.equal('member01');
        await page.getByRole('button', { name: 'Next page' }).click();
        await summary('page 2 of 3');
        expect(await page.locator('table.users tbody tr td:nth-child(2)').first().textContent()).to.equal('member26');
        await page.getByLabel('Active', { exact: true }).selectOption('false');
        await summary(/^0 users/);
        await page.getByLabel('Active', { exact: true }).selectOption('');
        await summary('58 users ·');
        expect(asked.every((url) => /[?&]size=25(&|$)/.test(url)), asked.join('\n')).to.equal(true);
        await expectAccessible(page, 'users');
        await screenshot(page, framework, 'users');
      });

      it('exports the users as CSV through an authenticated download', async () => {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
        expect(download.suggestedFilename()).to.match(/^users_export_\d{8}_\d{6}\.csv$/);
        await page.getByRole('status').filter({ hasText: 'Downloaded users_export_' }).waitFor();
      });

      it('opens a user from the table, shows the edit validation beside the field, then saves', async () => {
        await page.getByRole('link', { name: 'member20', exact: true }).click();
        await heading('member20').waitFor();
        await page.getByLabel('Email', { exact: true }).fill('not-an-email');
        await page.getByRole('button', { name: 'Save changes' }).click();
        const error = page.locator('.field-error[data-field="email"]');
        await error.waitFor();
        expect((await error.textContent())!.length).to.be.greaterThan(0);
        await page.getByLabel('Email', { exact: true }).fill('member20@example.org');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
        await page.locator('dd', { hasText: 'member20@example.org' }).waitFor();
      });

      it('deletes a user after a confirmation', async () => {
        await page.getByRole('button', { name: 'Delete user…' }).click();
        await page.getByRole('button', { name: 'Yes, delete member20' }).click();
        await heading('Users').waitFor();
        await page.getByRole('status').filter({ hasText: 'Deleted user member20' }).waitFor();
        const left = await fixture.core.services.users.listUsers({ page: 1, size: 1, search: 'member20' });
        expect(left.total).to.equal(0);
      });

      it('imports a CSV batch by batch, listing the refused rows and why, creating the rest', async () => {
        await go('Import CSV');
        await heading('Import users from CSV').waitFor();
        const csv = [
          'username,email,password,full_name',
          'csv_one,csv.one@example.com,csv-password-1,"One, the first"',
          'csv_two,not-an-email,csv-password-2,',
          'member01,csv.dup@example.com,csv-password-4,Taken name',
          'csv_three,csv.three@example.com,csv-password-3,Three',
        ].join('\n');
        await page.getByLabel('Or paste the CSV').fill(csv);
        await page.getByText('4 rows ready').waitFor();
        await page.getByRole('button', { name: 'Import' }).click();
        await page.getByTestId('import-summary').filter({ hasText: 'Created 2, refused 2.' }).waitFor();
        expect(await page.getByText('4 of 4 rows sent').count()).to.equal(1);
        // Line 3 fails validation (422), line 4 a uniqueness check (409), each named by its field.
        const cells = async (line: number) => page.locator(`tr[data-line="${line}"] td`).allTextContents();
        expect((await cells(3)).slice(0, 2)).to.deep.equal(['3', 'email']);
        expect((await cells(4)).slice(0, 2)).to.deep.equal(['4', 'username']);
        const one = await fixture.core.services.users.listUsers({ page: 1, size: 5, search: 'csv_' });
        expect(one.items.map((user) => user.username).sort()).to.deep.equal(['csv_one', 'csv_three']);
        expect(one.items.find((user) => user.username === 'csv_one')!.full_name).to.equal('One, the first');
        await expectAccessible(page, 'import');
        await screenshot(page, framework, 'import');
      });

      it('shows the audit entries of all that in the audit log, filters them and pages by cursor', async () => {
        await go('Audit log');
        await heading('Audit log').waitFor();
        const rows = page.locator('table.audit[aria-busy="false"] tbody tr');
        for (const type of [
          'login.failed',
          'user.created',
          'user.updated',
          'password.reset_requested',
          'session.revoked',
          'export.run',
          'user.deleted',
          'users.bulk_created',
        ]) {
          await rows.filter({ hasText: type }).first().waitFor();
        }
        await expectAccessible(page, 'audit log');
        await screenshot(page, framework, 'audit-log');
        // The seeded users' creations fill more than one page of 50.
        await page.getByLabel('Event type').fill('user.created');
        await page.getByRole('button', { name: 'Apply filters' }).click();
        await page.locator('table.audit[aria-busy="false"]').waitFor();
        await page.waitForURL(/type=user\.created/);
        await rows.first().waitFor();
        const types = async () => new Set(await page.locator('table.audit tbody tr td:nth-child(2)').allTextContents());
        expect([...(await types())]).to.deep.equal(['user.created']);
        expect(await rows.count()).to.equal(50);
        await page.getByRole('button', { name: 'Older' }).click();
        await page.waitForURL(/cursor=/);
        await page.locator('table.audit[aria-busy="false"]').waitFor();
        await page.getByRole('button', { name: 'Older', disabled: true }).waitFor();
        expect([...(await types())]).to.deep.equal(['user.created']);
        await page.getByRole('button', { name: 'Newer' }).click();
        await page.getByRole('button', { name: 'Newer', disabled: true }).waitFor();
        await page.getByRole('button', { name: 'Older', disabled: false }).waitFor();
      });

      it('shows the stat cards and the signups chart on the overview', async () => {
        await go('Overview');
        await heading('Overview').waitFor();
        await page.locator('[data-stat="total_users"] .stat-value', { hasText: '59' }).waitFor();
        // The members still there (member20 was deleted) on their days, the rest of the 59 today.
        const left = SEEDED.filter((index) => index !== 20);
        const perDay = (days: number) => {
          const counts = Array.from({ length: days }, (_, ago) => left.filter((index) => daysAgo(index) === ago).length);
          counts[0]! += 59 - left.length;
          return counts;
        };
        const caption = (days: number) => {
          const counts = perDay(days);
          return `${counts.reduce((a, b) => a + b, 0)} signups in ${days} days, at most ${Math.max(...counts)} in one day.`;
        };
        await page.locator('.chart figcaption', { hasText: caption(30) }).waitFor();
        expect(await page.locator('.chart svg rect.chart-bar').count()).to.equal(30);
        // Zero days are drawn too: the figures table has every day, oldest first.
        const figures = await page.locator('.chart details tbody tr td:nth-child(2)').allTextContents();
        expect(figures.map(Number).reverse()).to.deep.equal(perDay(30));
        await page.getByLabel('Days', { exact: true }).selectOption('7');
        await page.locator('.chart figcaption', { hasText: caption(7) }).waitFor();
        expect(await page.locator('.chart svg rect.chart-bar').count()).to.equal(7);
        await page.getByLabel('Days', { exact: true }).selectOption('30');
        await page.locator('.chart figcaption', { hasText: caption(30) }).waitFor();
        await expectAccessible(page, 'overview');
        await screenshot(page, framework, 'overview');
      });

      it('fits a phone screen (375 px) without sideways scrolling of the page', async () => {
        await page.setViewportSize({ width: 375, height: 800 });
        for (const [view, title] of [
          ['Overview', 'Overview'],
          ['Users', 'Users'],
        ] as const) {
          await go(view);
          await heading(title).waitFor();
          await page.locator('main .card, main table').first().waitFor();
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(width, view).to.be.at.most(375);
          await expectAccessible(page, `${view} at 375 px`);
          await screenshot(page, framework, `phone-${view.toLowerCase()}`);
        }
        await page.setViewportSize({ width: 1280, height: 900 });
      });

      it('is usable from the keyboard: skip link, navigation, focus on the new view', async () => {
        // Start the focus order at the header, as a reader arriving at the page would.
        await page.locator('.brand').click();
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Overview');
        await page.keyboard.press('Shift+Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to content');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.id === 'main');
        await page.locator('.brand').click();
        for (const name of ['Overview', 'Users', 'Create user']) {
          await page.keyboard.press('Tab');
          expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal(name);
        }
        await page.keyboard.press('Enter');
        await heading('Create user').waitFor();
        // The new view's heading takes focus, so the next Tab continues from there.
        await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'Create user');
      });

      it('signs out, ending the session on the server', async () => {
        const [logout] = await Promise.all([
          page.waitForResponse((response) => response.url() === `${api}/auth/logout`),
          page.getByRole('button', { name: 'Sign out' }).click(),
        ]);
        expect(logout.status()).to.equal(204);
        const admin = await fixture.core.services.users.listUsers({ page: 1, size: 1, search: ADMIN.username });
        const ended = await fixture.core.services.audit.list({ type: 'logout', actor_user_id: admin.items[0]!.id });
        expect(ended.items[0]?.details, 'the sign-out is in the audit log').to.deep.include({ reason: 'logout', session_count: 1 });
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
        // The tokens lived in the page's memory only.
        expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).to.deep.equal([0, 0, '']);
      });
    });
  }
});
