/**
 * Production transport policy, shared by the portal's and the relay's configuration: with
 * `NODE_ENV=production` every public URL must use TLS (https/wss), so session cookies, relay tokens,
 * install scripts and the Node runtime they download never cross the network in clear text. A lab
 * without certificates may opt out with `ALLOW_INSECURE_TRANSPORT=true`; the process then names what
 * is insecure in a warning at every start.
 */
export const INSECURE_TRANSPORT_OPT_OUT = 'ALLOW_INSECURE_TRANSPORT';

export interface TransportEndpoint {
  /** The environment variable the URL came from (or its default's source). */
  readonly variable: string;
  /** The URL; an empty string means "not used" and is never insecure. */
  readonly url: string;
  /** The scheme it must use in production. */
  readonly secure: 'https:' | 'wss:';
}

/** The endpoints that do not use their secure scheme, as `VARIABLE (scheme)` strings. */
export function insecureEndpoints(endpoints: readonly TransportEndpoint[]): string[] {
  return endpoints
    .filter((e) => e.url !== '' && !e.url.toLowerCase().startsWith(`${e.secure}//`))
    .map((e) => e.variable);
}

/** What a production process refuses: one sentence per variable, naming the variable first. */
export function insecureTransportProblem(secure: TransportEndpoint['secure']): string {
  const scheme = secure.slice(0, -1);
  return `must be an ${scheme}:// URL when NODE_ENV=production (or set ${INSECURE_TRANSPORT_OPT_OUT}=true for a lab without TLS)`;
}

/** The warning logged at every start of a production process that opted out. */
export function insecureTransportWarning(variables: readonly string[]): string {
  return (
    `${INSECURE_TRANSPORT_OPT_OUT}=true: running in production WITHOUT TLS for ${variables.join(', ')}. ` +
    'Session cookies, relay tokens, install scripts and the agent runtime can be read and altered on the ' +
    'network. Use https/wss URLs and remove this setting before anyone outside the lab uses this server.'
  );
}

/** What {@link enforceTransportPolicy} needs of an environment reader (contracts/node/env-reader.ts). */
export interface TransportPolicyReader {
  flag(name: string, fallback: boolean): boolean;
  fail(name: string, must: string): void;
}

/**
 * The policy applied to one process's public endpoints, for the portal and the relay alike. Reads the
 * opt-out in every environment (a malformed value is reported anywhere); outside production nothing is
 * refused. In production each insecure variable is refused by name, or, with the opt-out, returned for
 * the start warning ({@link insecureTransportWarning}).
 */
export function enforceTransportPolicy(
  r: TransportPolicyReader,
  production: boolean,
  endpoints: readonly TransportEndpoint[],
): string[] {
  const optOut = r.flag(INSECURE_TRANSPORT_OPT_OUT, false);
  if (!production) return [];
  const insecure = [...new Set(insecureEndpoints(endpoints))];
  if (optOut) return insecure;
  const refused = new Set<string>();
  for (const e of endpoints) {
    if (!insecure.includes(e.variable) || refused.has(e.variable)) continue;
    refused.add(e.variable);
    r.fail(e.variable, insecureTransportProblem(e.secure));
  }
  return [];
}
