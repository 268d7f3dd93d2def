import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorCode } from './domain-error';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {});
    return [
      ...own.map((m) => (m.startsWith(e.property) ? m.replace(e.property, path) : `${path}: ${m}`)),
      ...flatten(e.children ?? [], path),
    ];
  });
}

/** The global pipe: unknown fields are refused, types are transformed, messages name the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) =>
      new DomainError(ErrorCode.ValidationFailed, flatten(errors).slice(0, 10).join('; ')),
  });
}
