/** `GET /api/health`: the portal is up and reaches its database (otherwise 503 `unavailable`). */
export interface HealthView {
  status: 'ok';
  database: 'up';
  /** The portal's version (package.json). */
  version: string;
}
