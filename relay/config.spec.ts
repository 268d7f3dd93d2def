import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveRelayKey } from '../contracts/node/relay-keys';
import { loadRelayConfig } from './config';
import { ConfigError } from '../contracts/node/env-reader';

const SECRET = 'a-production-grade-relay-secret-0123456789abcdef';

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadRelayConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('relay config', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'relay-config-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('records to DATA_DIR/recordings by default, to RECORDING_DIR when set, and names a bad S3 setting', () => {
    expect(loadRelayConfig({ RELAY_SECRET: SECRET, DATA_DIR: dataDir }).recordingStore).toEqual({
      kind: 'fs',
      dir: join(dataDir, 'recordings'),
    });
    expect(
      loadRelayConfig({ RELAY_SECRET: SECRET, RECORDING_DIR: join(dataDir, 'elsewhere') }).recordingStore,
    ).toEqual({ kind: 'fs', dir: join(dataDir, 'elsewhere') });
    expect(
      problems({
        RELAY_SECRET: SECRET,
        RECORDING_S3_BUCKET: 'recordings',
        RECORDING_S3_ACCESS_KEY_ID: 'AKIA',
      }),
    ).toEqual([expect.stringContaining('RECORDING_S3_ACCESS_KEY_ID')]);
  });

  it('has the documented defaults in development', () => {
    const c = loadRelayConfig({ RELAY_SECRET: SECRET });
    expect(c).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3001,
      sessionTtlMs: 3_600_000,
      pairTimeoutMs: 60_000,
      heartbeatIntervalMs: 15_000,
      handshakeTimeoutMs: 10_000,
      maxPayloadBytes: 1024 * 1024,
      sessionRateBytesPerSec: 0,
      maxConnections: 10_000,
      allowedOrigins: ['http://localhost:3000'],
      eventsUrl: 'http://127.0.0.1:3000/api/relay/events',
      metricsToken: null,
      trustProxy: false,
    });
    expect(c.tokenKeys.current.kid).toBe(deriveRelayKey(SECRET, 'token').kid);
    expect(c.tokenKeys.accepted).toHaveLength(1);
  });

  it('follows PORT and PORTAL_ORIGIN, and reads every limit', () => {
    const c = loadRelayConfig({
      RELAY_SECRET: SECRET,
      RELAY_SECRET_PREVIOUS: `old-${SECRET}`,
      PORT: '8080',
      PORTAL_ORIGIN: 'https://portal.example.com',
      RELAY_PORT: '0',
      RELAY_SESSION_TTL_SEC: '120',
      RELAY_PAIR_TIMEOUT_SEC: '5',
      RELAY_MAX_PAYLOAD_BYTES: '65536',
      RELAY_HIGH_WATERMARK_BYTES: '262144',
      RELAY_SESSION_RATE_BYTES_PER_SEC: '1048576',
      RELAY_MAX_CONNECTIONS: '100',
      RELAY_HEARTBEAT_SEC: '2',
      RELAY_HANDSHAKE_TIMEOUT_SEC: '3',
      RELAY_METRICS_TOKEN: 'metrics-token-0123456789',
      RELAY_TRUST_PROXY: '1',
      RELAY_EVENTS_URL: 'off',
    });
    expect(c).toMatchObject({
      port: 0,
      sessionTtlMs: 120_000,
      pairTimeoutMs: 5000,
      maxPayloadBytes: 65536,
      highWatermarkBytes: 262144,
      sessionRateBytesPerSec: 1048576,
      maxConnections: 100,
      heartbeatIntervalMs: 2000,
      handshakeTimeoutMs: 3000,
      allowedOrigins: ['https://portal.example.com'],
      eventsUrl: null,
      metricsToken: 'metrics-token-0123456789',
      trustProxy: true,
    });
    expect(c.tokenKeys.accepted).toHaveLength(2);
    expect(loadRelayConfig({ RELAY_SECRET: SECRET, PORT: '8080' }).eventsUrl).toBe(
      'http://127.0.0.1:8080/api/relay/events',
    );
    expect(
      loadRelayConfig({
        RELAY_SECRET: SECRET,
        RELAY_ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/',
      }).allowedOrigins,
    ).toEqual(['https://a.example', 'http://b.example:8080']);
  });

  it('names every bad variable at once, without echoing values', () => {
    const found = problems({
      RELAY_SECRET: SECRET,
      RELAY_PORT: '70000',
      RELAY_PAIR_TIMEOUT_SEC: 'soon',
      RELAY_ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path',
      RELAY_EVENTS_URL: 'ftp://x',
      RELAY_SESSION_RATE_BYTES_PER_SEC: '10',
      RELAY_TRUST_PROXY: 'maybe',
      RELAY_METRICS_TOKEN: 'short',
    });
    expect(found.map((p) => p.split(' ')[0]).sort()).toEqual(
      [
        'RELAY_ALLOWED_ORIGINS',
        'RELAY_EVENTS_URL',
        'RELAY_METRICS_TOKEN',
        'RELAY_PAIR_TIMEOUT_SEC',
        'RELAY_PORT',
        'RELAY_SESSION_RATE_BYTES_PER_SEC',
        'RELAY_TRUST_PROXY',
      ].sort(),
    );
    expect(found.join('\n')).not.toContain('short');
  });

  it('requires a strong secret and the allowed origins in production, and binds all interfaces', () => {
    expect(problems({ NODE_ENV: 'production' }).join('\n')).toMatch(
      /RELAY_SECRET is required[\s\S]*RELAY_ALLOWED_ORIGINS is required/,
    );
    expect(
      problems({ NODE_ENV: 'production', RELAY_SECRET: 'changeme', PORTAL_ORIGIN: 'https://p.example' })[0],
    ).toMatch(/^RELAY_SECRET must be at least 32 bytes/);
    expect(
      problems({
        NODE_ENV: 'production',
        RELAY_SECRET: 'change-me-to-a-long-random-string-of-at-least-32-bytes',
        PORTAL_ORIGIN: 'https://p.example',
      })[0],
    ).toMatch(/^RELAY_SECRET must not be the example value/);
    const c = loadRelayConfig({
      NODE_ENV: 'production',
      RELAY_SECRET: SECRET,
      PORTAL_ORIGIN: 'https://p.example',
    });
    expect(c.host).toBe('0.0.0.0');
    expect(c.allowedOrigins).toEqual(['https://p.example']);
  });

  it('falls back to the shared development secret in DATA_DIR outside production', () => {
    const first = loadRelayConfig({ DATA_DIR: dataDir });
    expect(first.generatedDevSecret).toBe(true);
    const shared = readFileSync(join(dataDir, 'relay-secret'), 'utf8').trim();
    expect(first.tokenKeys.current.kid).toBe(deriveRelayKey(shared, 'token').kid);
    const second = loadRelayConfig({ DATA_DIR: dataDir });
    expect(second.generatedDevSecret).toBe(false);
    expect(second.tokenKeys.current.kid).toBe(first.tokenKeys.current.kid);
    expect(problems({ RELAY_SECRET: 'short' })[0]).toMatch(/^RELAY_SECRET must be at least 32 bytes/);
  });
});
