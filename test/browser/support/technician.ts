import type { BrowserContext, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';

/** Who signs in: a technician (or an admin) the suite created. */
export interface Credentials {
  email: string;
  password: string;
}

/** Signs in on the dashboard's sign-in page, as a person does, and waits for the Quick-Support queue. */
export async function signIn(page: Page, baseUrl: string, who: Credentials): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/quick-support`);
}

/** Signs in (see {@link signIn}), then opens the viewer of the remote session by its address. */
export async function signInAndOpenViewer(
  page: Page,
  baseUrl: string,
  who: Credentials,
  sessionId: string,
): Promise<void> {
  await signIn(page, baseUrl, who);
  await page.goto(`${baseUrl}/viewer/${sessionId}`);
}

/** Signs the whole browser context in through the API (its cookie then serves every page it opens). */
export async function signInContext(
  context: BrowserContext,
  baseUrl: string,
  who: Credentials,
): Promise<void> {
  const login = await context.request.post(`${baseUrl}/api/auth/login`, {
    data: { email: who.email, password: who.password },
    headers: { origin: baseUrl },
  });
  expect(login.status()).toBe(200);
}

/** Starts an attended remote session on the device, without recording; returns its id. */
export async function startRemoteSession(
  api: TestAgent,
  deviceId: string,
  protocol: 'ssh' | 'vnc' | 'web',
): Promise<string> {
  const started = await api
    .post('/api/remote-sessions')
    .send({ deviceId, type: 'attended', protocol, recordingEnabled: false })
    .expect(201);
  return started.body.session.id as string;
}
