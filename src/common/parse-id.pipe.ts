import { ParseUUIDPipe } from '@nestjs/common';
import { commonErrors } from './common.errors';

/** `:id` route parameters: a UUID, or 400 `validation_failed`. */
export function parseId(name = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => commonErrors.notUuid(name),
  });
}
