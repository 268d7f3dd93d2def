import {
  ApiExtraModels,
  ApiProperty,
  ApiResponse,
  ApiSchema,
  DECORATORS,
  getSchemaPath,
} from '@nestjs/swagger';
import type { ApiErrorBody } from '../../../contracts/api/errors';
import { ERROR_STATUS, ErrorCode } from '../domain-error';

/** The one error schema of the OpenAPI document: what the global filter sends for every refusal. */
@ApiSchema({
  name: 'ErrorBody',
  description: 'Every error answer of the portal: a stable code and a sentence',
})
export class ErrorBodyDto implements ApiErrorBody {
  @ApiProperty({
    enum: Object.values(ErrorCode),
    description: 'Stable: callers may branch on it',
  })
  code!: ErrorCode;

  @ApiProperty({ description: 'For people, safe to show: never a secret or an internal detail' })
  message!: string;
}

/** A code a route can answer, optionally with when it does (`[ErrorCode.Gone, 'the session ended']`). */
export type ApiErrorEntry = ErrorCode | readonly [ErrorCode, string];

/** The codes (with their notes) declared on a handler so far; each ApiErrors call adds to them. */
const API_ERRORS = 'qs:api-errors';
type Declared = ReadonlyMap<ErrorCode, readonly string[]>;

/** The error codes declared on a handler (the route-policy pass and the OpenAPI test read them). */
export function declaredErrors(handler: object): Declared {
  return (Reflect.getMetadata(API_ERRORS, handler) as Declared | undefined) ?? new Map();
}

/** Statuses a route answers with a page or plain text instead of `ErrorBody` (the connect page's HTML). */
const API_ERROR_PAGES = 'qs:api-error-pages';
export interface ApiErrorPage {
  /** e.g. `text/html`, `text/plain`. */
  readonly media: string;
  readonly description: string;
}
type Pages = Readonly<Record<number, ApiErrorPage>>;

/**
 * The error answers a route can give, as OpenAPI responses: one response per HTTP status (from
 * {@link ERROR_STATUS}), each the `ErrorBody` schema with `code` narrowed to the codes listed, and a
 * description naming each code and when it is sent. Calls add up (the access decorators and the
 * route-policy pass add theirs), so a route lists only what it adds itself.
 */
export function ApiErrors(...entries: readonly ApiErrorEntry[]): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as object;
    const merged = new Map<ErrorCode, readonly string[]>(declaredErrors(handler));
    for (const entry of entries) {
      const [code, note] = typeof entry === 'string' ? [entry, undefined] : entry;
      const notes = merged.get(code) ?? [];
      merged.set(code, note === undefined || notes.includes(note) ? notes : [...notes, note]);
    }
    Reflect.defineMetadata(API_ERRORS, merged, handler);
    writeErrorResponses(target, key, descriptor);
    return descriptor;
  };
}

/**
 * Statuses the route answers with a page (or plain text) rather than `ErrorBody`: the page replaces
 * the JSON answer for that status in the description, as it does on the wire.
 */
export function ApiErrorPages(pages: Pages): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as object;
    const prev = (Reflect.getMetadata(API_ERROR_PAGES, handler) as Pages | undefined) ?? {};
    Reflect.defineMetadata(API_ERROR_PAGES, { ...prev, ...pages }, handler);
    writeErrorResponses(target, key, descriptor);
    return descriptor;
  };
}

/** (Re)writes every error response of a handler from its declared codes and pages. */
function writeErrorResponses(target: object, key: string | symbol, descriptor: PropertyDescriptor): void {
  const handler = descriptor.value as object;
  const declared = declaredErrors(handler);
  const pages = (Reflect.getMetadata(API_ERROR_PAGES, handler) as Pages | undefined) ?? {};
  ApiExtraModels(ErrorBodyDto)(target, key, descriptor);
  const statuses = byStatus(declared);
  for (const status of Object.keys(pages))
    if (!statuses.has(Number(status))) statuses.set(Number(status), []);
  // ApiResponse joins the descriptions of one status; each call here writes the whole list anew.
  const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) ?? {}) as Record<string, unknown>;
  Reflect.defineMetadata(
    DECORATORS.API_RESPONSE,
    Object.fromEntries(Object.entries(responses).filter(([status]) => !statuses.has(Number(status)))),
    handler,
  );
  for (const [status, codes] of statuses) {
    const page = pages[status];
    if (page) {
      ApiResponse({
        status,
        description: page.description,
        content: { [page.media]: { schema: { type: 'string' } } },
      })(target, key, descriptor);
      continue;
    }
    ApiResponse({
      status,
      description: codes
        .map((code) => {
          const notes = declared.get(code) ?? [];
          return `\`${code}\`${notes.length > 0 ? `: ${notes.join('; ')}` : ''}`;
        })
        .join('\n\n'),
      schema: {
        allOf: [
          { $ref: getSchemaPath(ErrorBodyDto) },
          { type: 'object', properties: { code: { type: 'string', enum: codes } } },
        ],
      },
    })(target, key, descriptor);
  }
}

function byStatus(codes: Declared): Map<number, ErrorCode[]> {
  const out = new Map<number, ErrorCode[]>();
  for (const code of codes.keys()) {
    const status = ERROR_STATUS[code];
    out.set(status, [...(out.get(status) ?? []), code]);
  }
  return out;
}
