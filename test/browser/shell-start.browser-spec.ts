import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import { buildAgentBundle } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, makeSupportSession } from '../support/quick-support-factories';
import { expectAccessible } from './support/accessibility';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS } from './support/chromium';
import { customerMachine, startCustomerDevice } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signInAndOpenViewer, startRemoteSession } from './support/technician';
import { settled, text, visible } from './support/waits';
import { needBinaries } from './support/x-display';

/**
 * A shell that never answers, as a technician meets it: the customer's login profile waits on a lock
 * whose owner is gone, so every login shell on the device hangs before its first prompt. The real
 * portal and relay, the real Linux agent run from the downloaded script in a real terminal (the
 * customer allows the terminal there), and the viewer in Debian's Chromium. The shell tab says
 * "Starting the shell…" rather than "Connected" over a black terminal, offers a plain shell once the
 * portal's patience (SHELL_START_PATIENCE_SEC, short here) is over, and the plain shell runs a command.
 */
jest.setTimeout(180_000);

/** Seconds without a byte from the shell before the tab offers a plain shell (10 in production). */
const PATIENCE_SEC = 3;
const TECH = {
  email: 'shell.technician@example.test',
  name: 'Shell Technician',
  password: 'shell-technician-pw',
};

describe('a device whose login profile hangs (Chromium, real portal, relay, Linux agent)', () => {
  needBinaries(['/usr/bin/chromium', 'script'], 'apt-get install chromium bsdutils');

  const scratch = mkdtempSync(join(tmpdir(), 'qs-shell-start-'));
  const customerDir = customerMachine(scratch);
  let stack: RemoteStack;
  let browser: Browser;
  let viewer: Page;
  let tech: TestAgent;
  let run: ScriptRun | undefined;
  let sessionId = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    const bundle = buildAgentBundle(scratch);
    stack = await startRemoteStack({
      dataDir: scratch,
      env: {
        ...RELAXED_LIMITS_ENV,
        AGENT_BUNDLE_PATH: bundle,
        SHELL_START_PATIENCE_SEC: String(PATIENCE_SEC),
      },
    });
    tech = await stack.createTechnician(TECH);
    browser = await launchChromium();
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the customer runs the script on a device whose profile waits on a stale lock', async () => {
    // What every login shell reads first (bash: .bash_profile; sh: .profile): a wait on a lock file
    // that nobody will ever remove.
    writeFileSync(join(customerDir.home, 'stale.lock'), '4242\n');
    const waitOnLock = 'while [ -e "$HOME/stale.lock" ]; do sleep 1; done\n';
    for (const file of ['.bash_profile', '.profile', '.bashrc'])
      writeFileSync(join(customerDir.home, file), waitOnLock);

    const support = await makeSupportSession(tech, { customerName: 'Warehouse PC' });
    // The customer allows the terminal for the session (so the plain shell is not asked again).
    const customer = await startCustomerDevice(stack, support.path, tech, customerDir, {
      allowForSession: true,
    });
    run = customer.run;
    sessionId = await startRemoteSession(tech, customer.device.id, 'ssh');
  });

  it('says "Starting the shell…" instead of Connected while the login shell prints nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'en-US' });
    viewer = await context.newPage();
    viewer.setDefaultTimeout(30_000);
    viewer.on('pageerror', (error) => pageErrors.push(error.message));
    await signInAndOpenViewer(viewer, stack.portal.baseUrl, TECH, sessionId);
    await viewer.getByRole('tab', { name: 'Shell' }).click();

    const status = viewer.locator('app-shell-tab .shell-status');
    await text(status, 'Starting the shell…', 60_000);
    expect(await status.innerText()).not.toContain('Connected');
    await visible(viewer.locator('app-shell-tab .shell-overlay').getByText('Starting the shell…'));
    await expectAccessible(viewer, 'shell tab, shell starting');
  });

  it('offers a plain shell once the shell has printed nothing for the patience', async () => {
    const offer = viewer.getByRole('button', { name: 'Open a plain shell' });
    await visible(offer);
    await text(
      viewer.getByTestId('shell-stalled'),
      `The shell on the device has printed nothing in ${PATIENCE_SEC} s.`,
    );
    // Still starting, never Connected: the login shell is still waiting on the lock.
    await text(viewer.locator('app-shell-tab .shell-status'), 'Starting the shell…');
    await expectAccessible(viewer, 'shell tab, plain shell offered');
    await settled(viewer);
    await viewer.screenshot({ path: join(SCREENSHOTS, 'viewer-shell-plain-offer.png') });
  });

  it('opens the plain shell, which runs a command', async () => {
    await viewer.getByRole('button', { name: 'Open a plain shell' }).click();
    const status = viewer.locator('app-shell-tab .shell-status');
    await text(status, /Connected · \d+ × \d+ · plain shell \(no login profile\)/, 60_000);
    const terminal = viewer.locator('[data-testid="remote-terminal"]');
    await terminal.click();
    await viewer.keyboard.type('echo "answer-$((6*7))"');
    await viewer.keyboard.press('Enter');
    await text(terminal.locator('.xterm-rows'), 'answer-42');
    await expectAccessible(viewer, 'shell tab, plain shell running');
    expect(pageErrors).toEqual([]);
  });
});
