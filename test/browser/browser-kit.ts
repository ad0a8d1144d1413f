/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so they are typed against the DOM.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it when it is missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags this machine needs: no sandbox as root, and no background calls to the closed network. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;
const DOC_IMAGES = new URL('../../docs/images/admin/', import.meta.url).pathname;

/**
 * Debian's Chromium, headless. Playwright gives every launch a fresh temporary profile and
 * every context its own storage, so each adapter's run starts signed out with nothing cached.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** What went wrong in the page: console errors, uncaught exceptions, CSP violations. */
export interface PageGuard {
  problems: string[];
  /** Fails the test when the page logged an error or broke its CSP since the last check. */
  check(): Promise<void>;
}

/**
 * Watches a page for every console error, CSP violation and request outside the API prefix
 * (every asset must come from the package, under the prefix). A failed API call (a 4xx the
 * test provokes: 401 sign-in or an expired token, 422 validation) is logged by
 * Chromium as "Failed to load resource"; those are allowed only for API URLs, never for the
 * page's own files.
 */
export async function guardPage(page: Page, apiBase: string): Promise<PageGuard> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    const path = url.startsWith(`${apiBase}/`) ? new URL(url).pathname.slice(new URL(apiBase).pathname.length) : undefined;
    const pageFile = path !== undefined && /^\/(dashboard(\/|\/data-entry|\/assets\/.*)?|docs)$/.test(path);
    const apiCall = path !== undefined && !pageFile;
    if (message.text().startsWith('Failed to load resource') && apiCall) return;
    problems.push(`console error: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // Every file and call comes from this origin under the prefix: no CDN, no stray host.
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${apiBase}/`) && !/^(data|blob):/.test(url)) problems.push(`request outside the prefix: ${url}`);
  });
  return {
    problems,
    async check() {
      const found = problems.splice(0);
      expect(found, found.join('\n')).to.deep.equal([]);
    },
  };
}

/** Runs axe on the page as it stands: no serious or critical violation. */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const text = bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(text, `${view}:\n${text.join('\n')}`).to.deep.equal([]);
}

/**
 * Saves a full-page screenshot to `test/browser/screenshots/<set>/<name>.png` (git-ignored);
 * with `UPDATE_DOC_SCREENSHOTS=1` the Express set is also copied to `docs/images/admin/`.
 */
export async function screenshot(page: Page, set: string, name: string): Promise<void> {
  const directory = join(SCREENSHOTS, set);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_DOC_SCREENSHOTS === '1' && set === 'express') {
    mkdirSync(DOC_IMAGES, { recursive: true });
    copyFileSync(file, join(DOC_IMAGES, `${name}.png`));
  }
}

/** True when the browser tests can run here; in CI a missing Chromium is a failure, not a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs the chromium package`);
  return false;
}
