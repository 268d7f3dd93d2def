import { DomainError, ErrorCode } from '../common/domain-error';

export const metricsErrors = {
  tokenRequired: () =>
    new DomainError(ErrorCode.Unauthenticated, 'A bearer token is required to read the metrics.', {
      'WWW-Authenticate': 'Bearer realm="portal-metrics"',
    }),
  notLocal: () =>
    new DomainError(
      ErrorCode.Forbidden,
      'Only local callers that do not come through a proxy may read the metrics (or set PORTAL_METRICS_TOKEN).',
    ),
};
