import { DomainError, ErrorCode } from '../common/domain-error';

export const tokenUsed = (): DomainError =>
  new DomainError(
    ErrorCode.InstallerTokenUsed,
    'This install script was already used. Download the support tool again to get a fresh one.',
  );

export const tokenInvalid = (): DomainError =>
  new DomainError(
    ErrorCode.InstallerTokenInvalid,
    'This install script has expired or is not valid. Download the support tool again.',
  );

export const osMismatch = (): DomainError =>
  new DomainError(
    ErrorCode.InstallerOsMismatch,
    'This install script was made for another operating system. Download the one for this computer.',
  );

export const agentNotBuilt = (): DomainError =>
  new DomainError(
    ErrorCode.AgentNotBuilt,
    'The support tool is not available on this server yet. Ask the administrator to run: npm run build:agent',
  );

export const renderRefused = (what: string): DomainError =>
  new DomainError(
    ErrorCode.Unavailable,
    `The install script could not be prepared (${what}). Ask the administrator to check the portal configuration.`,
  );
