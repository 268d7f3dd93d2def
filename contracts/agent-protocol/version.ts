/**
 * The agent ↔ portal contract (docs/protocol.md) is this folder, imported by the agent bundle and by
 * the portal, so both sides parse untrusted messages with the same hand-written validators. Bump
 * {@link PROTOCOL_VERSION} on every change (minor: additive; major: incompatible) and add a fixture per
 * new message in docs/fixtures/.
 *
 * No dependencies beyond the folder's own field reader: these modules are bundled into the agent, and
 * the dashboard imports the channel frames.
 */
export const PROTOCOL_VERSION = '1.4';
/** `MAJOR.MINOR`, the shape of every protocol version a peer sends. */
export const VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})$/;

/** The first protocol version with the remote-help (Quick Assist) requests. */
export const REMOTE_HELP_SINCE = '1.1';

/** The first protocol version whose agents ask the person at the device (`consent`). */
export const CONSENT_SINCE = '1.2';

/**
 * The first protocol version whose agents take `shellProfile` on `open_channel`: a `plain` shell skips
 * the login profile, for a device whose profile scripts hang every login shell.
 */
export const PLAIN_SHELL_SINCE = '1.3';

/**
 * The first protocol version whose agents report the device's monitors on a screen `channel_opened`
 * and share one monitor when `open_channel` names it (`monitor`).
 */
export const MONITORS_SINCE = '1.3';

/**
 * The first protocol version with the quick-support chat: the portal sends `chat_message` (answered
 * with `ack`) and the agent may send `chat_reply` (answered with `ack` or `error`).
 */
export const CHAT_SINCE = '1.3';

/**
 * The first protocol version with the `files` channel (files-frames.ts): the portal opens it only on
 * agents at this version or later, and the agent reports each operation as `file_activity`.
 */
export const FILES_SINCE = '1.4';

/** True when `version` is `since` or a later minor of the same major (what a peer may be asked). */
export function protocolAtLeast(version: string, since: string): boolean {
  const theirs = VERSION_PATTERN.exec(version);
  const wanted = VERSION_PATTERN.exec(since);
  return (
    theirs !== null && wanted !== null && theirs[1] === wanted[1] && Number(theirs[2]) >= Number(wanted[2])
  );
}

/** Peers are compatible when their major versions are equal; minors only add optional things. */
export function isCompatibleProtocolVersion(version: string): boolean {
  const theirs = VERSION_PATTERN.exec(version);
  const ours = VERSION_PATTERN.exec(PROTOCOL_VERSION);
  return theirs !== null && ours !== null && theirs[1] === ours[1];
}
