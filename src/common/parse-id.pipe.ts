import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError, ErrorCode } from './domain-error';

/** `:id` route parameters: a UUID, or 400 `validation_failed`. */
export function parseId(name = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new DomainError(ErrorCode.ValidationFailed, `${name} must be a UUID`),
  });
}
