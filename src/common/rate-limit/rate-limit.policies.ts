/**
 * Named rate-limit policies for the routes anyone can call (`@Public()`), chosen on the route with
 * `@RateLimit('<name>')`, and the per-technician budgets every signed-in request spends.
 *
 * Nothing here is global: every budget belongs to one address, one network (/24 or /64), one link
 * token or one technician, so nobody can spend someone else's budget from another network.
 */

/** Request budgets shared by several routes (one counter per address and one per network, a minute). */
export type RateLimitBucket = 'public' | 'auth' | 'health' | 'relay';

/**
 * Per-link-token budgets (a token is one support session): notes, installer downloads and chat
 * messages (the agent's console spends the same `chat` budget, keyed by its device).
 */
export type TokenActionName = 'note' | 'download' | 'chat';

export interface PublicRatePolicy {
  /** Whose request budget the route spends. `public` takes its numbers from QS_PUBLIC_RATE_*. */
  readonly bucket: RateLimitBucket;
  /**
   * The route looks up a secret (a link or installer token). Answers with one of these statuses are
   * misses; once an address or its network has spent its miss budget (QS_PUBLIC_MISSES_*), the
   * route is refused *before* the lookup, so a guesser learns nothing more, not even from a lucky guess.
   */
  readonly missStatuses?: readonly number[];
  /** Holders of the connect page's pass for the token in the path skip the miss and network budgets. */
  readonly pagePass?: boolean;
  /** A per-token budget for what the route does (HEAD requests never spend it). */
  readonly tokenAction?: TokenActionName;
}

export const PUBLIC_POLICIES = {
  /** `GET /support/connect/:token`: the page itself; issues the page pass. */
  'connect-page': { bucket: 'public', missStatuses: [404] },
  /** `GET /support/connect/:token/status`: the page's 5-second poll. */
  'connect-status': { bucket: 'public', missStatuses: [404], pagePass: true },
  /** `POST /support/connect/:token/note` */
  'connect-note': { bucket: 'public', missStatuses: [404], pagePass: true, tokenAction: 'note' },
  /** `GET /support/connect/:token/chat?after=`: the page's chat poll, beside the status poll. */
  'connect-chat-read': { bucket: 'public', missStatuses: [404], pagePass: true },
  /** `POST /support/connect/:token/chat`: a customer message. */
  'connect-chat-send': { bucket: 'public', missStatuses: [404], pagePass: true, tokenAction: 'chat' },
  /** `GET /support/connect/:token/download/:os` */
  'installer-download': {
    bucket: 'public',
    missStatuses: [404],
    pagePass: true,
    tokenAction: 'download',
  },
  /** `GET /api/installers/script` (persistent install token in `Authorization: Bearer`). */
  'installer-script': { bucket: 'public', missStatuses: [410] },
  /** `POST /api/agent/register` (one-shot installer token). */
  'agent-register': { bucket: 'public', missStatuses: [410] },
  /** `POST /api/auth/login`, `GET /api/auth/csrf`; failed passwords have their own throttle. */
  auth: { bucket: 'auth' },
  /** `GET /api/branding`, `GET /api/branding/logo`: what the login page loads before sign-in. */
  branding: { bucket: 'auth' },
  /** `GET /api/health` */
  health: { bucket: 'health' },
  /** `GET /metrics` (the scraper; the access rule is the route's own guard). */
  metrics: { bucket: 'health' },
  /** `POST /api/relay/events` (signed by the relay). */
  'relay-events': { bucket: 'relay' },
} as const satisfies Record<string, PublicRatePolicy>;

export type RateLimitPolicyName = keyof typeof PUBLIC_POLICIES;

/** Requests a minute per address for the buckets that are not configured (the network gets 10×). */
export const AUTH_REQUESTS_PER_ADDRESS_PER_MIN = 300;
export const HEALTH_REQUESTS_PER_ADDRESS_PER_MIN = 600;
/** The relay posts batched pair/close events from one address; never let a busy relay be refused. */
export const RELAY_REQUESTS_PER_ADDRESS_PER_MIN = 6000;
/** A network (/24 or /64) may make this many times an address's budget in the unconfigured buckets. */
export const NETWORK_FACTOR = 10;

/** The window of the miss budgets (QS_PUBLIC_MISSES_PER_IP / _PER_NETWORK are per this window). */
export const MISS_WINDOW_SEC = 600;

export const TOKEN_ACTIONS: Record<TokenActionName, { points: number; durationSec: number }> = {
  note: { points: 10, durationSec: 600 },
  download: { points: 20, durationSec: 600 },
  /** A person types a few messages a minute; a script typing more is refused. */
  chat: { points: 20, durationSec: 60 },
};

/** How long the connect page's pass lets its holder through; each page load and status poll renews it. */
export const PAGE_PASS_TTL_SEC = 30 * 60;

/**
 * Per-technician budgets, a minute, for every route that needs a login. Far above what a person at
 * the dashboard does (a page view is a handful of requests; live updates come over one event stream)
 * and above the heaviest test (100 sessions created in a row), far below a script (300 sessions in
 * 35 seconds was possible before).
 */
export const TECHNICIAN_REQUESTS_PER_MIN = 1200;
/** POST, PUT, PATCH and DELETE: creating quick-support and remote sessions, commands, ending, users. */
export const TECHNICIAN_WRITES_PER_MIN = 240;

/**
 * Per-technician budgets for one kind of write, on top of the request budgets above, chosen on the
 * route with `@TechnicianRateLimit('<name>')` (technician-rate-limits.ts).
 */
export const TECHNICIAN_ACTIONS = {
  /** Chat messages to customers (all of the technician's sessions together). */
  chat: { points: 20, durationSec: 60 },
} as const satisfies Record<string, { points: number; durationSec: number }>;

export type TechnicianActionName = keyof typeof TECHNICIAN_ACTIONS;
