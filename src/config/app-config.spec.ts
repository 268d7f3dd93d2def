import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from './app-config';

const STRONG = 'a-strong-production-secret-with-more-than-32-bytes!';

function problems(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('loadAppConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'qs-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('gives a development configuration with safe defaults', () => {
    const c = loadAppConfig({ DATA_DIR: dataDir });
    expect(c.nodeEnv).toBe('development');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.portalOrigin).toBe('http://localhost:3000');
    expect(c.relay.publicUrl).toBe('ws://localhost:3001');
    expect(c.relay.sessionTtlSec).toBe(3600);
    expect(c.relay.pairTimeoutSec).toBe(60);
    expect(c.relay.tokenTtlSec).toBe(600);
    expect(c.brand.installerBaseName).toBe('kwgroup-quicksupport');
    expect(c.databaseUrl).toBeUndefined();
  });

  it('generates the development relay secret once, private to the owner, and reuses it', () => {
    const first = loadAppConfig({ DATA_DIR: dataDir });
    expect(first.generatedDevSecret).toBe(true);
    expect(Buffer.byteLength(first.relay.secret)).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dataDir, 'relay-secret')).mode & 0o777).toBe(0o600);
    const second = loadAppConfig({ DATA_DIR: dataDir });
    expect(second.generatedDevSecret).toBe(false);
    expect(second.relay.secret).toBe(first.relay.secret);
    expect(readFileSync(join(dataDir, 'relay-secret'), 'utf8').trim()).toBe(first.relay.secret);
  });

  it('requires RELAY_SECRET and PORTAL_ORIGIN in production, naming both', () => {
    const p = problems({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(p.some((m) => m.startsWith('RELAY_SECRET') && /required/.test(m))).toBe(true);
    expect(p.some((m) => m.startsWith('PORTAL_ORIGIN') && /required/.test(m))).toBe(true);
  });

  it('refuses a short production secret and the .env.example value', () => {
    expect(
      problems({ NODE_ENV: 'production', PORTAL_ORIGIN: 'https://p.example.com', RELAY_SECRET: 'short' })[0],
    ).toMatch(/^RELAY_SECRET must be at least 32 bytes/);
    const example =
      readFileSync(join(__dirname, '../../.env.example'), 'utf8').match(/^RELAY_SECRET=(.*)$/m)?.[1] ?? '';
    expect(example.length).toBeGreaterThan(0);
    expect(
      problems({ NODE_ENV: 'production', PORTAL_ORIGIN: 'https://p.example.com', RELAY_SECRET: example })[0],
    ).toMatch(/^RELAY_SECRET must not be the example value/);
  });

  it('accepts a complete production configuration and derives the relay URL from the portal host', () => {
    const c = loadAppConfig({
      NODE_ENV: 'production',
      PORTAL_ORIGIN: 'https://portal.example.com',
      RELAY_SECRET: STRONG,
      DATA_DIR: dataDir,
    });
    expect(c.host).toBe('0.0.0.0');
    expect(c.relay.publicUrl).toBe('wss://relay.portal.example.com');
    expect(c.generatedDevSecret).toBe(false);
  });

  it('names every bad variable at once and never echoes secret values', () => {
    const p = problems({
      DATA_DIR: dataDir,
      PORT: 'eighty',
      NODE_ENV: 'prod',
      PORTAL_ORIGIN: 'https://portal.example.com/some/path',
      RELAY_SESSION_TTL_SEC: '-5',
      BRAND_PRIMARY_COLOR: 'red',
      DATABASE_URL: 'mysql://x',
      RELAY_SECRET: 'tiny-secret-value',
    });
    const text = p.join('\n');
    for (const name of [
      'PORT',
      'NODE_ENV',
      'PORTAL_ORIGIN',
      'RELAY_SESSION_TTL_SEC',
      'BRAND_PRIMARY_COLOR',
      'DATABASE_URL',
      'RELAY_SECRET',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('tiny-secret-value');
  });

  it('takes an https logo URL and refuses any other by name', () => {
    expect(loadAppConfig({ DATA_DIR: dataDir }).brand.logoUrl).toBeUndefined();
    expect(
      loadAppConfig({ DATA_DIR: dataDir, BRAND_LOGO_URL: 'https://cdn.example.com/logo.svg' }).brand.logoUrl,
    ).toBe('https://cdn.example.com/logo.svg');
    for (const bad of [
      'http://cdn.example.com/logo.png',
      'javascript:alert(1)',
      'https://user:pw@cdn.example.com/logo.png',
      'not a url',
      `https://cdn.example.com/${'a'.repeat(2100)}`,
    ]) {
      expect(problems({ DATA_DIR: dataDir, BRAND_LOGO_URL: bad })).toEqual([
        expect.stringMatching(/^BRAND_LOGO_URL must be an https:\/\/ URL/),
      ]);
    }
  });

  it('caps the relay token lifetime at 10 minutes', () => {
    expect(problems({ DATA_DIR: dataDir, RELAY_TOKEN_TTL_SEC: '601' })[0]).toMatch(
      /RELAY_TOKEN_TTL_SEC must be a whole number from 30 to 600/,
    );
  });

  it('reads the recording settings: optional, not strict, 30 days, no cap, keys hidden, a folder under DATA_DIR', () => {
    const c = loadAppConfig({ DATA_DIR: dataDir });
    expect(c.recording).toEqual({
      policy: 'optional',
      strict: false,
      retentionDays: 30,
      maxTotalGb: null,
      revealKeys: false,
      store: { kind: 'fs', dir: join(dataDir, 'recordings') },
    });
    const set = loadAppConfig({
      DATA_DIR: dataDir,
      RECORDING_POLICY: 'required',
      RECORDING_STRICT: 'true',
      RECORDING_RETENTION_DAYS: '3650',
      RECORDING_MAX_TOTAL_GB: '500',
      RECORDING_REVEAL_KEYS: 'yes',
    }).recording;
    expect(set).toMatchObject({
      policy: 'required',
      strict: true,
      retentionDays: 3650,
      maxTotalGb: 500,
      revealKeys: true,
    });
  });

  it('names each bad recording setting', () => {
    const found = problems({
      DATA_DIR: dataDir,
      RECORDING_POLICY: 'sometimes',
      RECORDING_RETENTION_DAYS: '0',
      RECORDING_MAX_TOTAL_GB: '-3',
    }).join('\n');
    expect(found).toMatch(/RECORDING_POLICY must be one of/);
    expect(found).toMatch(/RECORDING_RETENTION_DAYS must be a whole number from 1 to 3650/);
    expect(found).toMatch(/RECORDING_MAX_TOTAL_GB must be a whole number from 1 to/);
  });
});
