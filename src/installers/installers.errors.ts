import { DomainError, ErrorCode } from '../common/domain-error';

export const installerErrors = {
  tokenUsed: () =>
    new DomainError(
      ErrorCode.InstallerTokenUsed,
      'This install script was already used. Download the support tool again to get a fresh one.',
    ),
  tokenInvalid: () =>
    new DomainError(
      ErrorCode.InstallerTokenInvalid,
      'This install script has expired or is not valid. Download the support tool again.',
    ),
  osMismatch: () =>
    new DomainError(
      ErrorCode.InstallerOsMismatch,
      'This install script was made for another operating system. Download the one for this computer.',
    ),
  agentNotBuilt: () =>
    new DomainError(
      ErrorCode.AgentNotBuilt,
      'The support tool is not available on this server yet. Ask the administrator to run: npm run build:agent',
    ),
  renderRefused: (what: string) =>
    new DomainError(
      ErrorCode.Unavailable,
      `The install script could not be prepared (${what}). Ask the administrator to check the portal configuration.`,
    ),
};
