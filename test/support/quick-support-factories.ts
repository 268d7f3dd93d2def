import { join } from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import type { TestApp } from './test-app';

const FIXTURES = join(__dirname, '..', 'fixtures', 'installers');

/** Fixture templates and bundle, so installer tests do not depend on the agent build. */
export const INSTALLER_FIXTURE_ENV: Record<string, string> = {
  AGENT_TEMPLATE_DIR: join(FIXTURES, 'templates'),
  AGENT_BUNDLE_PATH: join(FIXTURES, 'agent.js'),
};

/** Public rate limits high enough that only the rate-limit tests ever meet them. */
export const RELAXED_LIMITS_ENV: Record<string, string> = {
  QS_PUBLIC_RATE_PER_IP: '100000',
  QS_PUBLIC_RATE_PER_NETWORK: '1000000',
  QS_PUBLIC_MISSES_PER_NETWORK: '100000',
  QS_PUBLIC_MISSES_PER_IP: '10000',
};

export const USER_AGENTS = {
  windows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  macos:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  linux: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
  slack: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
} as const;

export interface MadeSession {
  id: string;
  url: string;
  token: string;
  /** `/support/connect/<token>` */
  path: string;
  body: Record<string, unknown>;
}

/** Creates a quick-support session through the API, as a technician would. */
export async function makeSupportSession(
  tech: TestAgent,
  fields: { customerName?: string; note?: string } = {},
): Promise<MadeSession> {
  const res = await tech.post('/api/quick-support/sessions').send(fields);
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${JSON.stringify(res.body)}`);
  const url = res.body.url as string;
  const path = new URL(url).pathname;
  return { id: res.body.id, url, token: path.split('/').pop()!, path, body: res.body };
}

/** The installer token embedded in a rendered script (fixture or real template). */
export function installerTokenIn(script: string): string {
  const m =
    /INSTALLER_TOKEN\s*=\s*['"]([A-Za-z0-9_-]{22,128})['"]|InstallerToken\s*=\s*['"]([A-Za-z0-9_-]{22,128})['"]/.exec(
      script,
    );
  const token = m?.[1] ?? m?.[2];
  if (!token) throw new Error('no installer token found in the script');
  return token;
}

/** Downloads a script as a browser would and returns its embedded token. */
export async function downloadInstaller(
  t: TestApp,
  path: string,
  os: 'windows' | 'macos' | 'linux' = 'linux',
): Promise<{ token: string; script: string }> {
  const res = await t
    .http()
    .get(`${path}/download/${os}`)
    .set('User-Agent', USER_AGENTS.linux)
    .responseType('blob');
  if (res.status !== 200) throw new Error(`download failed: ${res.status} ${String(res.text ?? '')}`);
  const script = (res.body as Buffer).toString('utf8');
  return { token: installerTokenIn(script), script };
}

export function registerBody(
  installerToken: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    installerToken,
    hostname: 'reception-pc',
    os: 'linux',
    osVersion: 'Debian GNU/Linux 13 (trixie)',
    arch: 'x64',
    agentVersion: '0.1.0',
    protocolVersion: '1.0',
    ...overrides,
  };
}
