import { DomainError, ErrorCode } from '../common/domain-error';

export const brandingErrors = {
  noLogo: () => new DomainError(ErrorCode.NotFound, 'No logo file is configured for this portal.'),
};
