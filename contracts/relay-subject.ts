/**
 * Who a relay token admits: one side (role) of one channel of one remote session. Pure (no Node
 * APIs), so the browser's viewer builds its connect URL from the same shapes the relay checks;
 * node/relay-token.ts signs and verifies tokens carrying them.
 */
export const RELAY_ROLES = ['agent', 'tech'] as const;
export type RelayRole = (typeof RELAY_ROLES)[number];

/** Channels the product uses today. Others may be added: any name matching {@link RELAY_CHANNEL_PATTERN}. */
export const RELAY_CHANNELS = ['screen', 'shell', 'commands', 'files'] as const;
export type KnownRelayChannel = (typeof RELAY_CHANNELS)[number];
export const RELAY_CHANNEL_PATTERN = /^[a-z][a-z0-9-]{1,23}$/;
/** Remote session ids (UUIDs in practice): letters, digits, `-` and `_`, at most 64. */
export const RELAY_SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface RelayTokenSubject {
  /** Remote session id. */
  readonly sid: string;
  /** Channel within the session (`screen`, `shell`, ...). */
  readonly ch: string;
  readonly role: RelayRole;
}

export function isRelayRole(value: unknown): value is RelayRole {
  return value === 'agent' || value === 'tech';
}

export function isRelayChannel(value: unknown): value is string {
  return typeof value === 'string' && RELAY_CHANNEL_PATTERN.test(value);
}

export function isRelaySessionId(value: unknown): value is string {
  return typeof value === 'string' && RELAY_SESSION_ID_PATTERN.test(value);
}
