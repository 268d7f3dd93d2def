/** Metadata key of the rule an access decorator puts on a route. */
export const ACCESS_RULE = 'qs:access';

/** Where the guard finds the id a rule is about. */
export type IdSource = { param: string } | { body: string };

export type AccessRule =
  | { kind: 'team' }
  | { kind: 'support-session'; from: IdSource }
  | { kind: 'remote-session'; from: IdSource; device: boolean }
  | { kind: 'device'; from: IdSource; exclusive: boolean };
