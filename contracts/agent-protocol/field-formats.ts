import { RELAY_SESSION_ID_PATTERN } from '../relay-subject';

/** Field formats: the patterns and bounds the validators hold identifiers and versions to. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The relay's session ids (contracts/relay-subject.ts, pure: no jose in the agent). */
export const SESSION_ID_PATTERN = RELAY_SESSION_ID_PATTERN;
export const DEVICE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const DEVICE_CREDENTIAL_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
export const INSTALLER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
export const RELAY_TOKEN_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export const RELAY_TOKEN_MAX = 1024;
export const WS_URL_PATTERN = /^wss?:\/\/[^\s"'`<>\\]{1,2040}$/;
export const AGENT_VERSION_PATTERN = /^[0-9A-Za-z.+-]{1,32}$/;
export const ARCH_PATTERN = /^[a-z0-9_]{1,16}$/;
export const CAPABILITY_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
export const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
export const SIGNAL_PATTERN = /^SIG[A-Z0-9]{1,12}$/;
/** A program version as Windows reports it (`2.0.35.0`, `10.0.19041.1`). */
export const APP_VERSION_PATTERN = /^[0-9A-Za-z.+-]{1,32}$/;
/** A winget package id (`9P7BP5VNWKX5`, `Microsoft.Edge`). */
export const WINGET_PACKAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}$/;
/**
 * Longest program name a remote-help request may carry. The field is deliberately a loose display
 * string: the agent's own allow-list (agent/src/remote-help/launch-allow-list.ts) is what decides, so
 * anything else is refused there with `not_allowed`, not by the parser.
 */
export const REMOTEHELP_EXECUTABLE_MAX = 260;
