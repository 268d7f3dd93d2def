import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRAND_LOGO_MAX_BYTES } from '../../contracts/api/branding';
import { ConfigError, loadAppConfig } from '../../src/config/app-config';
import { makeSupportSession } from '../support/quick-support-factories';
import { createTestApp, TestApp } from '../support/test-app';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
]);
const SVG =
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';

describe('GET /api/branding and the logo (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let brandDir: string;

  beforeAll(async () => {
    t = await createTestApp({
      BRAND_NAME: 'Northwind IT',
      BRAND_PRIMARY_COLOR: '#FFD400',
      BRAND_ACCENT_COLOR: '#1f4e8c',
    });
    brandDir = join(t.config.dataDir, 'brand');
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => rmSync(brandDir, { recursive: true, force: true }));

  function put(name: string, body: Buffer | string): void {
    mkdirSync(brandDir, { recursive: true });
    writeFileSync(join(brandDir, name), body);
  }

  it('tells anyone, signed in or not, the brand with a readable text colour for each brand colour', async () => {
    const res = await t.http().get('/api/branding').expect(200);
    expect(res.body).toEqual({
      name: 'Northwind IT',
      primaryColor: '#ffd400',
      onPrimaryColor: '#111827',
      accentColor: '#1f4e8c',
      onAccentColor: '#ffffff',
      logoUrl: null,
    });
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('describes both routes in OpenAPI, with the branding shape and the logo’s 404', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    expect(doc.paths['/api/branding'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/BrandingDto',
    });
    expect(Object.keys(doc.components.schemas.BrandingDto.properties).sort()).toEqual(
      ['accentColor', 'logoUrl', 'name', 'onAccentColor', 'onPrimaryColor', 'primaryColor'].sort(),
    );
    expect(doc.paths['/api/branding/logo'].get.responses['404']).toBeDefined();
  });

  it('answers 404 not_found for the logo while there is no file', async () => {
    const res = await t.http().get('/api/branding/logo').expect(404);
    expect(res.body).toEqual({ code: 'not_found', message: 'No logo file is configured for this portal.' });
  });

  it('serves DATA_DIR/brand/logo.png as image/png, and names it in the branding', async () => {
    put('logo.png', PNG);
    const branding = await t.http().get('/api/branding').expect(200);
    expect(branding.body.logoUrl).toBe('/api/branding/logo');
    const res = await t.http().get('/api/branding/logo').buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(res.body as Buffer, PNG)).toBe(0);
  });

  it('serves an SVG logo under a policy that lets no script run, even opened on its own', async () => {
    put('logo.svg', SVG);
    const res = await t.http().get('/api/branding/logo').buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toContain('script-src');
  });

  it('shows the logo file in the connect page header, with alt text, allowed by the page policy', async () => {
    const session = await makeSupportSession(await t.loginAs());
    const without = await t.http().get(session.path).expect(200);
    expect(without.text).not.toMatch(/<img\b/);
    put('logo.png', PNG);
    const page = await t.http().get(session.path).expect(200);
    expect(page.text).toContain(
      '<header><img src="/api/branding/logo" alt="Northwind IT logo" height="40"><h1 id="headline">',
    );
    expect(page.headers['content-security-policy']).toContain("img-src 'self' data:;");
  });

  it('refuses a file over the size bound, or one whose content is not its type', async () => {
    put('logo.png', Buffer.concat([PNG, Buffer.alloc(BRAND_LOGO_MAX_BYTES)]));
    await t.http().get('/api/branding/logo').expect(404);
    expect((await t.http().get('/api/branding').expect(200)).body.logoUrl).toBeNull();

    put('logo.png', Buffer.from('<html><script>alert(1)</script></html>'));
    await t.http().get('/api/branding/logo').expect(404);

    rmSync(join(brandDir, 'logo.png'));
    put('logo.svg', '<html><body>not an svg</body></html>');
    await t.http().get('/api/branding/logo').expect(404);

    // Exactly at the bound is still served.
    put('logo.svg', `${SVG}${' '.repeat(BRAND_LOGO_MAX_BYTES - Buffer.byteLength(SVG))}`);
    await t.http().get('/api/branding/logo').expect(200);
  });
});

describe('BRAND_LOGO_URL', () => {
  it('is named in the configuration error when it is not an https URL', () => {
    let caught: unknown;
    try {
      loadAppConfig({ DATA_DIR: '/tmp', BRAND_LOGO_URL: 'http://cdn.example.com/logo.png' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain('BRAND_LOGO_URL must be an https:// URL');
  });

  it('is what the branding names as the logo, before any file', async () => {
    const t = await createTestApp({ BRAND_LOGO_URL: 'https://cdn.example.com/brand/logo.svg' });
    try {
      const res = await t.http().get('/api/branding').expect(200);
      expect(res.body.logoUrl).toBe('https://cdn.example.com/brand/logo.svg');
      // The dashboard's policy lets the page load it from there.
      const page = await t.http().get('/login');
      expect(page.headers['content-security-policy']).toContain(
        "img-src 'self' data: blob: https://cdn.example.com",
      );
      // And the connect page shows it, its policy naming that origin alone besides itself.
      const session = await makeSupportSession(await t.loginAs());
      const connect = await t.http().get(session.path).expect(200);
      expect(connect.text).toContain('<img src="https://cdn.example.com/brand/logo.svg" alt="KW Group logo"');
      expect(connect.headers['content-security-policy']).toContain(
        "img-src 'self' data: https://cdn.example.com;",
      );
    } finally {
      await t.close();
    }
  });
});
