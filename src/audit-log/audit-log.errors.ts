import { DomainError, ErrorCode } from '../common/domain-error';

/** Bad filters of the audit list and export (400 `validation_failed`, a sentence naming the field). */
export const auditLogErrors = {
  badTime: (name: 'from' | 'to') =>
    new DomainError(ErrorCode.ValidationFailed, `${name} is not a real date or time`),
  fromAfterTo: () => new DomainError(ErrorCode.ValidationFailed, 'from must not be later than to'),
  sessionNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such remote session.'),
  unknownCursor: () =>
    new DomainError(ErrorCode.ValidationFailed, 'before must be a nextCursor this list gave out'),
};
