import { resolve } from 'node:path';
import { EnvReader } from '../contracts/node/env-reader';
import { createRelayKeyring, type RelayKeyring } from '../contracts/node/relay-keys';
import {
  readRecordingStoreSettings,
  type RecordingStoreSettings,
} from '../contracts/node/recording-settings';
import {
  RELAY_PAIR_TIMEOUT_SEC,
  RELAY_SESSION_TTL_SEC,
  readRelayPairTimeoutSec,
  readRelaySecrets,
  readRelaySessionTtlSec,
} from '../contracts/node/relay-settings';
import { enforceTransportPolicy } from '../contracts/transport-policy';

export type RelayNodeEnv = 'development' | 'production' | 'test';
export const RELAY_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type RelayLogLevel = (typeof RELAY_LOG_LEVELS)[number];

/** The relay's validated configuration. Durations are milliseconds; secrets are already derived keys. */
export interface RelayConfig {
  readonly nodeEnv: RelayNodeEnv;
  readonly logLevel: RelayLogLevel;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Keys verifying tokens (current + previous) — derived from RELAY_SECRET(_PREVIOUS). */
  readonly tokenKeys: RelayKeyring;
  /** Keys signing events and verifying control requests. */
  readonly signingKeys: RelayKeyring;
  /** Origins a technician's browser may connect from. */
  readonly allowedOrigins: readonly string[];
  /** Portal endpoint receiving signed events; null disables reporting. */
  readonly eventsUrl: string | null;
  /** Bearer secret for /stats and /metrics; null → loopback only. */
  readonly metricsToken: string | null;
  /** Take the client address from the last X-Forwarded-For hop (behind one trusted proxy). */
  readonly trustProxy: boolean;
  readonly pairTimeoutMs: number;
  readonly sessionTtlMs: number;
  readonly heartbeatIntervalMs: number;
  readonly handshakeTimeoutMs: number;
  /** How long SIGTERM waits for close handshakes before cutting sockets. */
  readonly shutdownGraceMs: number;
  readonly maxPayloadBytes: number;
  /** Pause a sender when its receiver has this many bytes queued. */
  readonly highWatermarkBytes: number;
  /** Per pair, both directions; 0 = unlimited. */
  readonly sessionRateBytesPerSec: number;
  readonly maxConnections: number;
  /** Failed handshakes per client address per minute before 429; 0 = unlimited. */
  readonly authFailuresPerMinute: number;
  /** Largest number of remembered token ids (each kept until its token expires). */
  readonly replayCacheMax: number;
  /** True when this boot generated the development secret (logged once). */
  readonly generatedDevSecret: boolean;
  /**
   * Production only, with ALLOW_INSECURE_TRANSPORT=true: variables naming a plain-http technician
   * origin (logged as a warning at every start). Empty otherwise.
   */
  readonly insecureTransport: readonly string[];
  /** Where recorded channels are written: RECORDING_DIR (default DATA_DIR/recordings) or RECORDING_S3_*. */
  readonly recordingStore: RecordingStoreSettings;
}

const KIB = 1024;
const MIB = 1024 * KIB;

export const RELAY_DEFAULTS = {
  port: 3001,
  sessionTtlSec: RELAY_SESSION_TTL_SEC.fallback,
  pairTimeoutSec: RELAY_PAIR_TIMEOUT_SEC.fallback,
  heartbeatSec: 15,
  handshakeTimeoutSec: 10,
  shutdownGraceMs: 3000,
  maxPayloadBytes: MIB,
  highWatermarkBytes: MIB,
  sessionRateBytesPerSec: 0,
  maxConnections: 10_000,
  authFailuresPerMinute: 60,
  replayCacheMax: 200_000,
} as const;

/** Parses and validates the environment; throws ConfigError naming every bad variable. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const r = new EnvReader(env, 'relay configuration');
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const portalPort = r.int('PORT', 3000, 1, 65535);

  const dataDir = resolve(r.string('DATA_DIR', './data', /^.{1,4096}$/, 'a folder path'));
  const relaySecrets = readRelaySecrets(r, production, () => dataDir);
  // A placeholder keeps parsing going so every problem is reported at once; throwIfInvalid stops us.
  const secret = relaySecrets.secret ?? 'invalid-relay-secret-placeholder';
  const { previous, generated } = relaySecrets;
  const portal = r.optionalOrigin('PORTAL_ORIGIN');
  const originsDefault = portal ? [portal] : production ? [] : [`http://localhost:${portalPort}`];
  const allowedOrigins = r.origins('RELAY_ALLOWED_ORIGINS', originsDefault);
  if (allowedOrigins.length === 0)
    r.fail('RELAY_ALLOWED_ORIGINS', 'is required when NODE_ENV=production (or set PORTAL_ORIGIN)');

  const config: RelayConfig = {
    nodeEnv,
    logLevel: r.oneOf('LOG_LEVEL', RELAY_LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    host: r.string(
      'RELAY_HOST',
      production ? '0.0.0.0' : '127.0.0.1',
      /^[0-9A-Za-z.:[\]-]{1,255}$/,
      'a host name or IP address',
    ),
    port: r.int('RELAY_PORT', RELAY_DEFAULTS.port, 0, 65535),
    tokenKeys: createRelayKeyring(secret, previous, 'token'),
    signingKeys: createRelayKeyring(secret, previous, 'signing'),
    allowedOrigins,
    eventsUrl: r.optionalHttpUrl('RELAY_EVENTS_URL', `http://127.0.0.1:${portalPort}/api/relay/events`),
    metricsToken:
      r.optionalString('RELAY_METRICS_TOKEN', /^[\x21-\x7e]{16,256}$/, '16 to 256 printable characters') ??
      null,
    trustProxy: r.flag('RELAY_TRUST_PROXY', false),
    pairTimeoutMs: readRelayPairTimeoutSec(r) * 1000,
    sessionTtlMs: readRelaySessionTtlSec(r) * 1000,
    heartbeatIntervalMs: r.int('RELAY_HEARTBEAT_SEC', RELAY_DEFAULTS.heartbeatSec, 1, 300) * 1000,
    handshakeTimeoutMs:
      r.int('RELAY_HANDSHAKE_TIMEOUT_SEC', RELAY_DEFAULTS.handshakeTimeoutSec, 1, 120) * 1000,
    shutdownGraceMs: RELAY_DEFAULTS.shutdownGraceMs,
    maxPayloadBytes: r.int('RELAY_MAX_PAYLOAD_BYTES', RELAY_DEFAULTS.maxPayloadBytes, KIB, 64 * MIB),
    highWatermarkBytes: r.int(
      'RELAY_HIGH_WATERMARK_BYTES',
      RELAY_DEFAULTS.highWatermarkBytes,
      16 * KIB,
      64 * MIB,
    ),
    sessionRateBytesPerSec: r.int(
      'RELAY_SESSION_RATE_BYTES_PER_SEC',
      RELAY_DEFAULTS.sessionRateBytesPerSec,
      0,
      10 * 1024 * MIB,
    ),
    maxConnections: r.int('RELAY_MAX_CONNECTIONS', RELAY_DEFAULTS.maxConnections, 2, 1_000_000),
    authFailuresPerMinute: r.int(
      'RELAY_AUTH_FAILURES_PER_MIN',
      RELAY_DEFAULTS.authFailuresPerMinute,
      0,
      1_000_000,
    ),
    replayCacheMax: RELAY_DEFAULTS.replayCacheMax,
    generatedDevSecret: generated,
    insecureTransport: [],
    recordingStore: readRecordingStoreSettings(r, dataDir),
  };
  const insecureTransport = checkTransport(r, production, portal, allowedOrigins);
  if (config.sessionRateBytesPerSec > 0 && config.sessionRateBytesPerSec < 16 * KIB) {
    r.fail('RELAY_SESSION_RATE_BYTES_PER_SEC', 'must be 0 (unlimited) or at least 16384');
  }
  r.throwIfInvalid();
  return Object.freeze({ ...config, insecureTransport });
}

/**
 * In production the technician's browser must reach the portal over https (contracts/transport-policy.ts):
 * a plain-http PORTAL_ORIGIN or allowed origin is refused by name unless ALLOW_INSECURE_TRANSPORT=true.
 */
function checkTransport(
  r: EnvReader,
  production: boolean,
  portal: string | undefined,
  allowedOrigins: readonly string[],
): string[] {
  return enforceTransportPolicy(r, production, [
    { variable: 'PORTAL_ORIGIN', url: portal ?? '', secure: 'https:' },
    ...allowedOrigins.map((url) => ({ variable: 'RELAY_ALLOWED_ORIGINS', url, secure: 'https:' as const })),
  ]);
}
