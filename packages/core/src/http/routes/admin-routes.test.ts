import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildRequest, createTestApi, jsonOf, textOf, type TestApi, dispatchOwn } from '../http-test-kit';
import { loadAdminBundle, renderShell } from './admin-assets';
import { ADMIN_CSP, DOCS_CSP } from './admin-routes';

describe('admin routes', () => {
  let t: TestApi;
  beforeEach(() => {
    t = createTestApi();
  });
  afterEach(() => t.close());

  describe('GET /dashboard', () => {
    it('writes the mount path into every URL of the shell when the host mounted the API under one', async () => {
      const response = await dispatchOwn(t.api, { ...buildRequest({ path: '/api/v1/dashboard/' }), mountPath: '/auth' });
      const html = await textOf(response);
      expect(html).to.include('<meta name="app-base" content="/auth/api/v1">');
      expect(html).to.not.match(/(src|href)="\/api\/v1/);
    });

    it('answers the HTML shell without auth, with the page CSP and every URL under the prefix', async () => {
      for (const path of ['/api/v1/dashboard', '/api/v1/dashboard/']) {
        const response = await dispatchOwn(t.api, buildRequest({ path }));
        expect(response.status, path).to.equal(200);
        expect(response.headers['Content-Type']).to.equal('text/html; charset=utf-8');
        expect(response.headers['Content-Security-Policy']).to.equal(ADMIN_CSP);
        expect(response.headers['X-Frame-Options']).to.equal('DENY');
        const html = await textOf(response);
        expect(html).to.include('<meta name="app-base" content="/api/v1">');
        expect(html).to.include('<meta name="app-view" content="overview">');
        const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
        expect(urls.length).to.be.greaterThan(1);
        for (const url of urls) expect(url).to.match(/^\/api\/v1\/dashboard\/assets\/[\w.-]+\.(js|css|svg)$/);
        expect(html).not.to.match(/<style|style=|<script>/);
      }
    });

    it('opens the create form on /dashboard/data-entry and renders the bulk maximum', async () => {
      const other = createTestApi({ bulkMax: 7 });
      const html = await textOf(await other.call('admin.dataEntry'));
      expect(html).to.include('<meta name="app-view" content="create">');
      expect(html).to.include('<meta name="app-bulk-max" content="7">');
      await other.close();
    });

    it('follows a configured prefix', async () => {
      const other = createTestApi({ apiPrefix: '/v2' });
      const html = await textOf(await other.call('admin.page'));
      expect(html).to.include('<meta name="app-base" content="/v2">');
      expect(html).to.match(/src="\/v2\/dashboard\/assets\/app-[\w-]+\.js"/);
      await other.close();
    });
  });

  describe('GET /docs', () => {
    it('answers the API reference shell with its CSP (data: images for its icons)', async () => {
      const response = await t.call('admin.docs');
      expect(response.status).to.equal(200);
      expect(response.headers['Content-Security-Policy']).to.equal(DOCS_CSP);
      expect(DOCS_CSP).not.to.include('unsafe');
      expect(await textOf(response)).to.match(/src="\/api\/v1\/dashboard\/assets\/docs-[\w-]+\.js"/);
    });
  });

  describe('GET /dashboard/assets/:file', () => {
    it('serves a file of the manifest with its type and a year of immutable caching', async () => {
      const html = await textOf(await t.call('admin.page'));
      const script = /assets\/(app-[\w-]+\.js)/.exec(html)![1]!;
      const style = /assets\/(app-[\w-]+\.css)/.exec(html)![1]!;
      const js = await t.call('admin.asset', { params: { file: script }, path: `/api/v1/dashboard/assets/${script}` });
      expect(js.status).to.equal(200);
      expect(js.headers['Content-Type']).to.equal('text/javascript; charset=utf-8');
      expect(js.headers['Cache-Control']).to.equal('public, max-age=31536000, immutable');
      expect(Number(js.headers['Content-Length'])).to.equal(Buffer.byteLength(await textOf(js)));
      const css = await t.call('admin.asset', { params: { file: style }, path: `/api/v1/dashboard/assets/${style}` });
      expect(css.headers['Content-Type']).to.equal('text/css; charset=utf-8');
    });

    it('answers 404 in the JSON envelope, not cached, for any name the manifest does not list', async () => {
      for (const file of ['nope.js', '..%2Fmanifest.json', '../manifest.json', 'manifest.json', '%2e%2e%2fpackage.json']) {
        const response = await dispatchOwn(t.api, buildRequest({ path: `/api/v1/dashboard/assets/${file}` }));
        expect(response.status, file).to.equal(404);
        expect(jsonOf(response).error).to.equal('not_found_error');
        expect(response.headers['Cache-Control']).to.equal('no-store');
        expect(response.headers['Content-Security-Policy']).to.equal("default-src 'none'; frame-ancestors 'none'");
      }
    });
  });

  describe('loadAdminBundle', () => {
    it('is undefined when no bundle was built, and serves only listed files when one was', () => {
      const directory = mkdtempSync(join(tmpdir(), 'admin-'));
      expect(loadAdminBundle(directory)).to.equal(undefined);
      mkdirSync(join(directory, 'assets'));
      writeFileSync(join(directory, 'assets', 'a-1.js'), 'export {};');
      writeFileSync(join(directory, 'assets', 'secret.txt'), 'no');
      const entry = (file: string) => ({ file: `assets/${file}`, isEntry: true });
      writeFileSync(join(directory, 'manifest.json'), JSON.stringify({ 'app/main.tsx': entry('a-1.js'), 'app/docs/main.ts': entry('a-1.js') }));
      const bundle = loadAdminBundle(directory)!;
      expect(bundle.file('a-1.js')!.body.toString()).to.equal('export {};');
      expect(bundle.file('secret.txt')).to.equal(undefined);
    });
  });

  describe('renderShell', () => {
    it('escapes what it writes into attributes', () => {
      const html = renderShell({ base: '/a"><script>', title: '<x>', entry: { script: 'assets/a.js', styles: [] } });
      expect(html).not.to.include('<script>');
      expect(html).to.include('&#60;x&#62;');
    });
  });
});
