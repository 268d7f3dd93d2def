import { hkdfSync } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ConfigError, EnvReader } from '../../contracts/node/env-reader';
import {
  readRecordingStoreSettings,
  type RecordingStoreSettings,
} from '../../contracts/node/recording-settings';
import { RECORDING_POLICIES, type RecordingPolicy } from '../../contracts/recording/format';
import {
  readRelayPairTimeoutSec,
  readRelaySecrets,
  readRelaySessionTtlSec,
} from '../../contracts/node/relay-settings';
import { enforceTransportPolicy } from '../../contracts/transport-policy';
import { PROJECT_ROOT } from '../version';

export type NodeEnv = 'development' | 'production' | 'test';

/**
 * The portal's typed, validated configuration. Built once at boot from the environment by
 * {@link loadAppConfig}; injected everywhere as the `AppConfig` class token.
 */
export abstract class AppConfig {
  abstract readonly nodeEnv: NodeEnv;
  abstract readonly host: string;
  abstract readonly port: number;
  abstract readonly dataDir: string;
  /** Public origin of the portal, e.g. `https://portal.example.com` (no trailing slash, no path). */
  abstract readonly portalOrigin: string;
  /** `undefined` → the embedded PostgreSQL under `<dataDir>/pg`. */
  abstract readonly databaseUrl: string | undefined;
  abstract readonly trustProxy: number;
  abstract readonly logLevel: string;
  abstract readonly admin: { readonly email: string; readonly password: string | undefined };
  abstract readonly sessionSecret: string;
  abstract readonly relay: {
    readonly secret: string;
    readonly previousSecret: string | undefined;
    /** URL browsers and agents dial (`wss://relay.<host>` by default). */
    readonly publicUrl: string;
    /** URL the portal uses to reach the relay's control endpoints. */
    readonly internalUrl: string;
    readonly port: number;
    readonly tokenTtlSec: number;
    readonly sessionTtlSec: number;
    readonly pairTimeoutSec: number;
  };
  abstract readonly brand: {
    readonly name: string;
    readonly primaryColor: string;
    readonly accentColor: string;
    readonly installerBaseName: string;
    /** BRAND_LOGO_URL: an https logo the dashboard and connect page show (else a file in DATA_DIR/brand). */
    readonly logoUrl: string | undefined;
  };
  abstract readonly quickSupport: {
    /** Minutes a waiting quick-support session stays open before it expires. */
    readonly sessionExpiryMin: number;
    /** Seconds an installer token can be redeemed after download. */
    readonly installerTokenTtlSec: number;
    /** Hours an agent may run in quick-support mode before it ends itself. */
    readonly maxSessionHours: number;
    /** Requests per minute one address may make to the public connect-page and agent endpoints. */
    readonly publicRatePerIpPerMin: number;
    /** Requests per minute one network (/24 or /64) may make to those endpoints. */
    readonly publicRatePerNetworkPerMin: number;
    /** Unknown, expired or ended tokens one address may try per 10 minutes before it gets 429. */
    readonly publicMissesPerIpPer10Min: number;
    /** Unknown, expired or ended tokens one network (/24 or /64) may try per 10 minutes. */
    readonly publicMissesPerNetworkPer10Min: number;
  };
  abstract readonly installers: {
    /** Seconds an admin's persistent-agent install command stays valid. */
    readonly persistentTokenTtlSec: number;
    /** Base URL of a Node.js runtime mirror the install scripts use ('' = the official download site). */
    readonly nodeMirrorUrl: string;
    /** Folder with the per-OS install-script templates (windows.ps1, macos.sh, linux.sh). */
    readonly templateDir: string;
    /** The bundled agent embedded into every install script (npm run build:agent). */
    readonly bundlePath: string;
  };
  /** Seconds the person at a device has to answer a consent prompt before it counts as a Deny. */
  abstract readonly consentTimeoutSec: number;
  /**
   * Seconds the viewer's shell tab waits for the device's shell to print its first byte before it
   * offers a plain shell (no login profile): a profile that hangs leaves the terminal silent.
   */
  abstract readonly shellStartPatienceSec: number;
  abstract readonly retentionDays: number;
  /** Session recording (README "Recording and retention"; ADR 0019). */
  abstract readonly recording: {
    /** RECORDING_POLICY: off, optional (the technician chooses per session), required. */
    readonly policy: RecordingPolicy;
    /** RECORDING_STRICT: a session recorded by choice also ends when recording fails. */
    readonly strict: boolean;
    /** RECORDING_RETENTION_DAYS: recordings are purged this long after they ended. */
    readonly retentionDays: number;
    /** RECORDING_MAX_TOTAL_GB: the oldest are purged while the total is above it; null = no cap. */
    readonly maxTotalGb: number | null;
    /** RECORDING_REVEAL_KEYS: players may show typed characters (otherwise keystroke counts). */
    readonly revealKeys: boolean;
    /** RECORDING_DIR or RECORDING_S3_*: where the relay writes and the portal reads. */
    readonly store: RecordingStoreSettings;
  };
  /** `GET /metrics` (Prometheus): off → 404; token null → loopback callers not behind a proxy only. */
  abstract readonly metrics: { readonly enabled: boolean; readonly token: string | null };
  /**
   * Production only, with ALLOW_INSECURE_TRANSPORT=true: the variables whose URLs are not https/wss
   * (logged as a warning at every start). Empty otherwise.
   */
  abstract readonly insecureTransport: readonly string[];
  /** Serve /api/docs, /api/docs-json and /api/docs-yaml to anyone (always outside production; PUBLIC_API_DOCS=true in it). */
  abstract readonly publicApiDocs: boolean;
  /** Set when a development relay secret was generated at this boot (to warn once). */
  abstract readonly generatedDevSecret: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Parses and validates the environment. Every problem is collected; a bad environment throws one
 * {@link ConfigError} naming each variable and what it must be.
 */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const port = r.int('PORT', 3000, 1, 65535);
  const relayPort = r.int('RELAY_PORT', 3001, 1, 65535);
  const host = r.string(
    'HOST',
    production ? '0.0.0.0' : '127.0.0.1',
    /^[0-9A-Za-z.:[\]-]{1,255}$/,
    'a host name or IP address',
  );
  const dataDir = resolve(r.string('DATA_DIR', './data', /^.{1,4096}$/, 'a folder path'));
  const portalOrigin = r.origin('PORTAL_ORIGIN', production ? undefined : `http://localhost:${port}`);
  const databaseUrl = r.optionalDatabaseUrl('DATABASE_URL');
  const trustProxy = r.int('TRUST_PROXY', 0, 0, 10);
  const logLevel = r.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info');
  const adminEmail = r.email('ADMIN_EMAIL', 'admin@example.com');
  const adminPassword = r.optionalString('ADMIN_PASSWORD', /^.{12,256}$/s, 'at least 12 characters');

  const {
    secret,
    previous: previousSecret,
    generated: generatedDevSecret,
  } = readRelaySecrets(r, production, () => dataDir);
  const sessionSecret = r.optionalString('SESSION_SECRET', /^.{32,4096}$/s, 'at least 32 bytes long');

  const portalUrl = portalOrigin ? new URL(portalOrigin) : undefined;
  const localPortal = !portalUrl || ['localhost', '127.0.0.1', '[::1]'].includes(portalUrl.hostname);
  const relayPublicDefault = localPortal
    ? `ws://${portalUrl?.hostname ?? 'localhost'}:${relayPort}`
    : `wss://relay.${portalUrl.host}`;
  const relayPublicUrl = r.wsUrl('RELAY_PUBLIC_URL', relayPublicDefault);
  const relayInternalUrl = r.httpUrl('RELAY_INTERNAL_URL', `http://127.0.0.1:${relayPort}`);

  const config: AppConfig = {
    nodeEnv,
    host,
    port,
    dataDir,
    portalOrigin: portalOrigin ?? '',
    databaseUrl,
    trustProxy,
    logLevel,
    admin: { email: adminEmail, password: adminPassword },
    sessionSecret: sessionSecret ?? deriveSessionSecret(secret ?? ''),
    relay: {
      secret: secret ?? '',
      previousSecret,
      publicUrl: relayPublicUrl,
      internalUrl: relayInternalUrl,
      port: relayPort,
      tokenTtlSec: r.int('RELAY_TOKEN_TTL_SEC', 600, 30, 600),
      sessionTtlSec: readRelaySessionTtlSec(r),
      pairTimeoutSec: readRelayPairTimeoutSec(r),
    },
    brand: {
      name: r.string(
        'BRAND_NAME',
        'KW Group',
        /^[\p{L}\p{N} .,&'()-]{1,60}$/u,
        "letters, digits, spaces and . , & ' ( ) - (at most 60)",
      ),
      primaryColor: r.string('BRAND_PRIMARY_COLOR', '#1f4e8c', /^#[0-9a-fA-F]{6}$/, 'a colour like #1f4e8c'),
      accentColor: r.string('BRAND_ACCENT_COLOR', '#f2a900', /^#[0-9a-fA-F]{6}$/, 'a colour like #f2a900'),
      installerBaseName: r.string(
        'INSTALLER_BASE_NAME',
        'kwgroup-quicksupport',
        /^[a-z0-9][a-z0-9-]{0,47}$/,
        'lower-case letters, digits and dashes (at most 48)',
      ),
      logoUrl: readLogoUrl(r),
    },
    quickSupport: {
      sessionExpiryMin: r.int('QS_SESSION_EXPIRY_MIN', 120, 5, 7 * 24 * 60),
      installerTokenTtlSec: r.int('QS_INSTALLER_TOKEN_TTL_SEC', 900, 60, 24 * 3600),
      maxSessionHours: r.int('QS_MAX_SESSION_HOURS', 8, 1, 72),
      publicRatePerIpPerMin: r.int('QS_PUBLIC_RATE_PER_IP', 120, 5, 100_000),
      publicRatePerNetworkPerMin: r.int('QS_PUBLIC_RATE_PER_NETWORK', 1200, 5, 1_000_000),
      publicMissesPerIpPer10Min: r.int('QS_PUBLIC_MISSES_PER_IP', 20, 1, 10_000),
      publicMissesPerNetworkPer10Min: r.int('QS_PUBLIC_MISSES_PER_NETWORK', 100, 1, 100_000),
    },
    consentTimeoutSec: r.int('CONSENT_TIMEOUT_SEC', 30, 10, 300),
    shellStartPatienceSec: r.int('SHELL_START_PATIENCE_SEC', 10, 1, 300),
    installers: {
      persistentTokenTtlSec: r.int('AGENT_INSTALL_TOKEN_TTL_SEC', 3600, 60, 7 * 24 * 3600),
      nodeMirrorUrl: r
        .string(
          'AGENT_NODE_MIRROR_URL',
          '',
          /^https?:\/\/[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(\/[A-Za-z0-9._~/-]{0,200})?$/,
          'an http(s) URL of letters, digits and . _ ~ / - only, such as https://mirror.example.com/node',
        )
        .replace(/\/+$/, ''),
      templateDir: resolve(
        r.string(
          'AGENT_TEMPLATE_DIR',
          join(PROJECT_ROOT, 'agent', 'templates'),
          /^.{1,4096}$/,
          'a folder path',
        ),
      ),
      bundlePath: resolve(
        r.string(
          'AGENT_BUNDLE_PATH',
          join(PROJECT_ROOT, 'dist', 'agent', 'agent.js'),
          /^.{1,4096}$/,
          'a file path',
        ),
      ),
    },
    retentionDays: r.int('RETENTION_DAYS', 30, 1, 3650),
    recording: {
      policy: r.oneOf('RECORDING_POLICY', RECORDING_POLICIES, 'optional'),
      strict: r.flag('RECORDING_STRICT', false),
      retentionDays: r.int('RECORDING_RETENTION_DAYS', 30, 1, 3650),
      maxTotalGb:
        r.raw('RECORDING_MAX_TOTAL_GB') === undefined
          ? null
          : r.int('RECORDING_MAX_TOTAL_GB', 0, 1, 1_000_000),
      revealKeys: r.flag('RECORDING_REVEAL_KEYS', false),
      store: readRecordingStoreSettings(r, dataDir),
    },
    metrics: {
      enabled: r.oneOf('PORTAL_METRICS', ['on', 'off'] as const, 'on') === 'on',
      token:
        r.optionalString('PORTAL_METRICS_TOKEN', /^[\x21-\x7e]{16,256}$/, '16 to 256 printable characters') ??
        null,
    },
    insecureTransport: [],
    publicApiDocs: r.flag('PUBLIC_API_DOCS', false) || !production,
    generatedDevSecret,
  };
  const insecureTransport = checkTransport(r, config, production);
  r.throwIfInvalid();
  return Object.freeze({ ...config, insecureTransport });
}

/**
 * Production requires TLS on every public URL (contracts/transport-policy.ts). Refuses each plain
 * one by name, unless ALLOW_INSECURE_TRANSPORT=true; then returns their names for the start warning.
 */
function checkTransport(r: EnvReader, config: AppConfig, production: boolean): string[] {
  return enforceTransportPolicy(r, production, [
    { variable: 'PORTAL_ORIGIN', url: config.portalOrigin, secure: 'https:' },
    { variable: 'RELAY_PUBLIC_URL', url: config.relay.publicUrl, secure: 'wss:' },
    { variable: 'AGENT_NODE_MIRROR_URL', url: config.installers.nodeMirrorUrl, secure: 'https:' },
  ]);
}

export { ConfigError };

/** BRAND_LOGO_URL: https only (it is shown on pages served over TLS), no credentials, bounded. */
function readLogoUrl(r: EnvReader): string | undefined {
  const value = r.raw('BRAND_LOGO_URL');
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || url.hash || value.length > 2048) {
    r.fail(
      'BRAND_LOGO_URL',
      'must be an https:// URL of an image (at most 2048 characters, no user or #fragment)',
    );
    return undefined;
  }
  return url.toString();
}

/** Without SESSION_SECRET, the cookie-signing key is derived from RELAY_SECRET (never the secret itself). */
function deriveSessionSecret(relaySecret: string): string {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(relaySecret, 'utf8'), 'portal/v1', 'session-cookie', 32),
  ).toString('base64url');
}
