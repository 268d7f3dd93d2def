/** Metadata key of the rule an access decorator puts on a route. */
export const ACCESS_RULE = 'qs:access';

/** Where the guard finds the id a rule is about. */
export type IdSource = { param: string } | { body: string };

export type AccessRule =
  | { kind: 'team' }
  | { kind: 'support-session'; from: IdSource }
  | { kind: 'remote-session'; from: IdSource; device: boolean }
  | { kind: 'device'; from: IdSource; exclusive: boolean }
  /**
   * The audit trail: whole-trail readers (see readsWholeAuditTrail) read every line; a technician the
   * lines of their own remote sessions. Without `from` the route narrows its answer to what the caller
   * may read; with it, the caller must be a whole-trail reader or the session's technician.
   */
  | { kind: 'audit-trail'; from?: IdSource };
