import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { hasUnsafeDisplayChars } from '../../contracts/display-text';
import { commonErrors } from './common.errors';

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
    exceptionFactory: (errors) => commonErrors.validationFailed(flatten(errors).slice(0, 10).join('; ')),
  });
}

/**
 * A name people read (technician display name, customer name): refuses control characters, line
 * separators, bidi overrides and invisible format characters (contracts/display-text.ts), so a name
 * cannot reorder or hide text in the dashboard, the connect page, the agent's prompts or a log line.
 */
export function IsDisplayText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDisplayText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !hasUnsafeDisplayChars(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be one line of text without control or bidirectional-formatting characters`,
      },
    },
    options,
  );
}
