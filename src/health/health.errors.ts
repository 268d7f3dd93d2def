import { DomainError, ErrorCode } from '../common/domain-error';

export const healthErrors = {
  databaseUnreachable: (cause: string) =>
    new DomainError(ErrorCode.Unavailable, `The database is not reachable (${cause}).`),
};
