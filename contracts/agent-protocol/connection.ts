/** Where an agent reaches the portal, and how the portal ends the control channel WebSocket. */
export const AGENT_REGISTER_PATH = '/api/agent/register';
export const AGENT_CONTROL_PATH = '/api/agent/ws';
/** Request header naming the protocol version on the control channel upgrade (checked before the upgrade). */
export const AGENT_PROTOCOL_HEADER = 'x-agent-protocol-version';

/**
 * Close codes of the control channel WebSocket (not the relay's: see contracts/relay-close-codes.ts).
 * `reconnect: false` tells the agent not to dial again with the same credential.
 */
export const ControlCloseCode = {
  Normal: 1000,
  PortalShuttingDown: 1001,
  BadMessage: 4400,
  Replaced: 4409,
  DeviceGone: 4410,
  UnsupportedVersion: 4426,
} as const;
export const CONTROL_CLOSE_NO_RECONNECT: readonly number[] = [
  ControlCloseCode.DeviceGone,
  ControlCloseCode.UnsupportedVersion,
];
