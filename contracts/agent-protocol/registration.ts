import { AGENT_OSES, type AgentOs } from './enums';
import {
  AGENT_VERSION_PATTERN,
  ARCH_PATTERN,
  DEVICE_CREDENTIAL_PATTERN,
  DEVICE_ID_PATTERN,
  INSTALLER_TOKEN_PATTERN,
  WS_URL_PATTERN,
} from './field-formats';
import { readerFor } from './field-reader';
import { attempt, decode, type ParseResult } from './parse-result';
import { VERSION_PATTERN } from './version';

/** Registration (HTTP): POST /api/agent/register (connection.ts `AGENT_REGISTER_PATH`). */
export interface RegisterRequest {
  installerToken: string;
  hostname: string;
  os: AgentOs;
  osVersion: string;
  arch: string;
  agentVersion: string;
  protocolVersion: string;
}

export interface RegisterResponse {
  deviceId: string;
  deviceCredential: string;
  /** `ws(s)://…/api/agent/ws` the agent dials with its credential. */
  controlUrl: string;
}

export const REGISTER_LIMITS = { hostname: 255, osVersion: 100 } as const;

export function parseRegisterRequest(raw: unknown): ParseResult<RegisterRequest> {
  return attempt(() => {
    const r = readerFor(decode(raw), 'register');
    return {
      installerToken: r.string('installerToken', { max: 128, pattern: INSTALLER_TOKEN_PATTERN }),
      hostname: r.string('hostname', { max: REGISTER_LIMITS.hostname }),
      os: r.oneOf('os', AGENT_OSES),
      osVersion: r.string('osVersion', { max: REGISTER_LIMITS.osVersion }),
      arch: r.string('arch', { max: 16, pattern: ARCH_PATTERN }),
      agentVersion: r.string('agentVersion', { max: 32, pattern: AGENT_VERSION_PATTERN }),
      protocolVersion: r.string('protocolVersion', { max: 7, pattern: VERSION_PATTERN }),
    };
  });
}

export function parseRegisterResponse(raw: unknown): ParseResult<RegisterResponse> {
  return attempt(() => {
    const r = readerFor(decode(raw), 'register_response');
    return {
      deviceId: r.string('deviceId', { max: 36, pattern: DEVICE_ID_PATTERN }),
      deviceCredential: r.string('deviceCredential', { max: 128, pattern: DEVICE_CREDENTIAL_PATTERN }),
      controlUrl: r.string('controlUrl', { max: 2048, pattern: WS_URL_PATTERN }),
    };
  });
}
