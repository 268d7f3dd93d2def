import { AGENT_REGISTER_PATH } from '../../../contracts/agent-protocol/connection';
import {
  parseRegisterResponse,
  type RegisterRequest,
  type RegisterResponse,
} from '../../../contracts/agent-protocol/registration';
import { Backoff } from './backoff';
import { postJson, type JsonResponse } from './http-json';
import { safe, type AgentLogger } from './logger';

/** Registration was refused or failed for good; `message` is a sentence for the customer. */
export class RegistrationError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RegistrationError';
  }
}

export interface RegisterDeps {
  post?: (url: string, payload: unknown) => Promise<JsonResponse>;
  logger: AgentLogger;
  /** Network attempts before giving up (refusals are never retried). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  backoff?: Backoff;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POST /api/agent/register with the one-shot installer token. Network failures and 5xx are retried with
 * backoff (the token is only consumed by a successful answer); 4xx answers are final.
 */
export async function registerDevice(
  portalUrl: string,
  request: RegisterRequest,
  deps: RegisterDeps,
): Promise<RegisterResponse> {
  const post = deps.post ?? postJson;
  const sleep = deps.sleep ?? sleepMs;
  const backoff = deps.backoff ?? new Backoff({ baseMs: 1000, capMs: 10_000, stableAfterMs: Infinity });
  const attempts = deps.attempts ?? 5;
  const url = new URL(AGENT_REGISTER_PATH, portalUrl).toString();
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const res = await post(url, request);
      if (res.status === 200 || res.status === 201) return checkResponse(res.body, portalUrl);
      if (res.status >= 400 && res.status < 500) throw new RegistrationError(refusal(res), res.status);
      failure = `the portal answered ${res.status}`;
    } catch (err) {
      if (err instanceof RegistrationError) throw err;
      failure = safe(err);
    }
    if (attempt >= attempts)
      throw new RegistrationError(`Could not reach the support portal (${failure}).`, 0);
    deps.logger.warn(`registration attempt ${attempt} failed: ${failure}; retrying`);
    await sleep(backoff.next());
  }
}

function checkResponse(body: unknown, portalUrl: string): RegisterResponse {
  const parsed = parseRegisterResponse(body);
  if (!parsed.ok) throw new RegistrationError(`The portal sent an unexpected answer (${parsed.error}).`, 0);
  if (new URL(portalUrl).protocol === 'https:' && !parsed.value.controlUrl.startsWith('wss://')) {
    throw new RegistrationError('The portal offered an unencrypted control channel; refusing it.', 0);
  }
  return parsed.value;
}

function refusal(res: JsonResponse): string {
  const body = res.body as { message?: unknown } | undefined;
  const detail = typeof body?.message === 'string' ? safe(body.message, 300) : `HTTP ${res.status}`;
  return `The support portal refused this device: ${detail}`;
}
