import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import { startX11vnc, stopChild } from '../../agent/src/test-support/xvfb';
import { pressKeys, waitForWindow, windowShown } from '../../agent/src/test-support/x-window';
import { INDICATOR_TITLE } from '../../agent/src/consent/zenity-indicator';
import { buildAgentBundle } from '../agent/support/agent-env';
import { ScriptRun, eventually as poll } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, makeSupportSession } from '../support/quick-support-factories';
import { ensureDashboardBuilt, launchChromium } from './support/chromium';
import { ALLOW_FOR_SESSION, customerMachine, startCustomerDevice } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signInContext } from './support/technician';
import { expectAccessibleInBothThemes } from './support/themes';
import { content, eventually, hidden, text, visible } from './support/waits';
import { needBinaries, paintRoot, startXvfb, type Rgb, canvasPixel, nearColour } from './support/x-display';

/**
 * Consent at the device, end to end: Debian's Chromium as the technician's viewer, the real portal
 * and relay, the real Linux agent run from the downloaded script in a real terminal (a PTY) with a
 * desktop (Xvfb) it asks on, and x11vnc behind a counting proxy that sees every connection the agent
 * makes to it. The customer answers the way a person does: keys in the zenity dialog and the
 * indicator window (xdotool), or keys in the terminal. Nothing is bypassed.
 */
jest.setTimeout(240_000);

const SCREEN = { width: 800, height: 600 };
const BLUE: Rgb = { r: 0x33, g: 0x66, b: 0xcc };
const GREEN: Rgb = { r: 0x22, g: 0xaa, b: 0x44 };
const TECH = {
  email: 'consent.technician@example.test',
  name: 'Consent Technician',
  password: 'consent-tech-password',
};
const BRAND = 'KW Group';
const DIALOG = `${BRAND}: remote support request`;
const CONSENT_TIMEOUT_SEC = 10;

/** Runs in the viewer before its own code: records when and how each WebSocket closed. */
const RECORD_CLOSES = `
  window.__closes = [];
  const Native = window.WebSocket;
  // Hands out the browser's own sockets (noVNC checks what it is given), each with a close listener.
  function Recorded(url, protocols) {
    const ws = new Native(url, protocols);
    ws.addEventListener('close', (e) => window.__closes.push({ url: String(url), code: e.code, at: Date.now() }));
    return ws;
  }
  Recorded.prototype = Native.prototype;
  Object.assign(Recorded, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Recorded;
`;

/** What the viewer says for each channel state (client/src/app/viewer). */
const SAYS = {
  denied: 'Denied by the customer',
  timedOut: 'The customer did not answer in time',
  viewOnly: 'View only — the customer decides',
  endedOnDevice: 'Ended by the person at the device',
};

/** x11vnc's port behind a proxy that counts the connections made to it and when they closed. */
async function countingProxy(target: number): Promise<{
  port: number;
  connections: () => number;
  closedAt: number[];
  close: () => Promise<void>;
}> {
  let connections = 0;
  const closedAt: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => {
      closedAt.push(Date.now());
      upstream.destroy();
    });
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connections: () => connections,
    closedAt,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Key and button events on the display's root window, as the customer's desktop gets them (xev). */
class InputWatcher {
  private output = '';
  private readonly child: ChildProcess;
  constructor(display: string) {
    this.child = spawn('xev', ['-root', '-event', 'keyboard', '-event', 'button'], {
      env: { ...process.env, DISPLAY: display },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString('latin1')));
  }
  get events(): string[] {
    return [...this.output.matchAll(/(KeyPress|ButtonPress) event/g)].map((m) => m[1]);
  }
  clear(): void {
    this.output = '';
  }
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

describe('consent at the device (Chromium viewer, real agent on Xvfb with zenity, x11vnc)', () => {
  needBinaries(['Xvfb', 'x11vnc', 'xev', 'xdotool', 'zenity', '/usr/bin/chromium'], 'apt-get install …');

  const scratch = mkdtempSync(join(tmpdir(), 'qs-consent-browser-'));
  const customer = customerMachine(scratch);
  const cleanups: Array<() => Promise<void>> = [];
  let stack: RemoteStack;
  let display: string;
  let displayNumber: number;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let input: InputWatcher;
  let browser: Browser;
  let context: BrowserContext;
  let api: TestAgent;
  let run: ScriptRun;
  let deviceId: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const bundle = buildAgentBundle(scratch);
    const xvfb = await startXvfb(SCREEN.width, SCREEN.height);
    cleanups.push(xvfb.stop);
    display = xvfb.display;
    displayNumber = xvfb.number;
    await paintRoot(displayNumber, BLUE, []);
    const vnc = await startX11vnc(display);
    cleanups.push(vnc.stop);
    proxy = await countingProxy(vnc.port);
    cleanups.push(proxy.close);
    input = new InputWatcher(display);
    cleanups.push(() => input.stop());

    stack = await startRemoteStack({
      dataDir: scratch,
      env: {
        ...RELAXED_LIMITS_ENV,
        AGENT_BUNDLE_PATH: bundle,
        CONSENT_TIMEOUT_SEC: String(CONSENT_TIMEOUT_SEC),
      },
    });
    api = await stack.createTechnician(TECH);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'en-US' });
    await signInContext(context, stack.portal.baseUrl, TECH);

    // The customer downloads the script from the link and runs it in a terminal on their desktop.
    const support = await makeSupportSession(api, { customerName: 'Consent customer' });
    // They answer each consent prompt themselves, test by test.
    const customerDevice = await startCustomerDevice(stack, support.path, api, customer, {
      env: { DISPLAY: display, QS_VNC_PORT: String(proxy.port), QS_LOG_LEVEL: 'debug' },
      allowForSession: false,
    });
    run = customerDevice.run;
    deviceId = customerDevice.device.id;
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Starts a session as the technician and opens its viewer window. */
  async function startAndView(protocol: 'vnc' | 'web'): Promise<{ id: string; viewer: Page }> {
    const res = await api
      .post('/api/remote-sessions')
      .send({
        deviceId,
        type: 'attended',
        protocol,
        reason: 'Printer queue is stuck',
        recordingEnabled: false,
      })
      .expect(201);
    const viewer = await context.newPage();
    viewer.setDefaultTimeout(20_000);
    // Every relay socket the viewer opens, and when and how it closed (the End now check below).
    await viewer.addInitScript({ content: RECORD_CLOSES });
    await viewer.goto(`${stack.portal.baseUrl}/viewer/${res.body.session.id}`);
    return { id: res.body.session.id as string, viewer };
  }

  async function end(id: string, viewer: Page): Promise<void> {
    await api.post(`/api/remote-sessions/${id}/end`).send({}).expect(200);
    await viewer.close();
  }

  const screenTab = (viewer: Page): Locator => viewer.locator('app-screen-tab');
  const canvas = (viewer: Page): Locator => viewer.locator('[data-testid="remote-screen"] canvas');

  it('(1) the customer denies the screen in the dialog: the viewer says so, and x11vnc never sees a connection', async () => {
    const { id, viewer } = await startAndView('vnc');
    const dialog = await waitForWindow(display, DIALOG);
    await text(screenTab(viewer), `Waiting for the customer to allow`);
    await pressKeys(display, dialog, 'alt+d');
    await text(screenTab(viewer), SAYS.denied);
    await expectAccessibleInBothThemes(viewer, 'viewer after the customer denied the screen');
    await run.waitFor(/consent for screen: deny \(asked on dialog, terminal\)/);
    expect(proxy.connections()).toBe(0);
    const audit = (await api.get(`/api/remote-sessions/${id}`).expect(200)).body;
    expect(audit.channelStates).toEqual([expect.objectContaining({ channel: 'screen', state: 'denied' })]);
    await end(id, viewer);
  });

  it('(3) an unanswered question times out as a no', async () => {
    const { id, viewer } = await startAndView('vnc');
    await waitForWindow(display, DIALOG);
    // Checked while the question is open (whatever the check sees once it times out is checked too).
    await expectAccessibleInBothThemes(viewer, 'viewer waiting for consent');
    await text(screenTab(viewer), SAYS.timedOut, (CONSENT_TIMEOUT_SEC + 15) * 1000);
    await run.waitFor(/question about your screen is closed|No answer in time/);
    // The dialog is withdrawn with the question.
    await eventually(async () => expect(await windowShown(display, DIALOG)).toBe(false));
    expect(proxy.connections()).toBe(0);
    await end(id, viewer);
  });

  let viewOnly: { id: string; viewer: Page };

  it('(2) view only: the framebuffer updates, the technician’s keys and clicks never reach the display', async () => {
    viewOnly = await startAndView('vnc');
    const { viewer } = viewOnly;
    const dialog = await waitForWindow(display, DIALOG);
    // The customer answers while the viewer waits (so the one answer opens the one connection).
    await text(screenTab(viewer), 'Waiting for the customer to allow');
    await pressKeys(display, dialog, 'alt+v');
    await text(screenTab(viewer), SAYS.viewOnly);
    await eventually(async () =>
      expect(nearColour(await canvasPixel(canvas(viewer), 10, 10), BLUE)).toBe(true),
    );
    await expectAccessibleInBothThemes(viewer, 'viewer in view-only mode');
    expect(proxy.connections()).toBe(1);

    // The desktop changes: the viewer follows.
    await paintRoot(displayNumber, GREEN, []);
    await eventually(async () =>
      expect(nearColour(await canvasPixel(canvas(viewer), 10, 10), GREEN)).toBe(true),
    );

    // The technician clicks and types: nothing reaches the X display.
    input.clear();
    const box = (await canvas(viewer).boundingBox())!;
    await viewer.mouse.click(box.x + 20, box.y + 20);
    await viewer.keyboard.type('nope');
    await viewer.mouse.click(box.x + 30, box.y + 30, { button: 'right' });
    // An event that does reach the display (a paint) proves the quiet is not just lag.
    await paintRoot(displayNumber, BLUE, []);
    await eventually(async () =>
      expect(nearColour(await canvasPixel(canvas(viewer), 10, 10), BLUE)).toBe(true),
    );
    expect(input.events).toEqual([]);
  });

  it('(2) the customer switches to control in the terminal: the badge goes, keys and clicks get through', async () => {
    const { viewer } = viewOnly;
    run.type('v');
    await hidden(screenTab(viewer).getByText(SAYS.viewOnly, { exact: false }));
    input.clear();
    const box = (await canvas(viewer).boundingBox())!;
    await eventually(async () => {
      await viewer.mouse.click(box.x + 20, box.y + 20);
      await viewer.keyboard.press('q');
      expect(input.events).toEqual(expect.arrayContaining(['ButtonPress', 'KeyPress']));
    });
  });

  it('(2) back to view only from the indicator window on the desktop, and the technician cannot override it', async () => {
    const { id, viewer } = viewOnly;
    const indicator = await waitForWindow(display, INDICATOR_TITLE);
    await pressKeys(display, indicator, 'alt+v');
    await text(screenTab(viewer), SAYS.viewOnly);
    const session = (await api.get(`/api/remote-sessions/${id}`).expect(200)).body;
    expect(session.channelStates[0]).toMatchObject({ state: 'open', mode: 'view_only' });
    // The viewer offers nothing that turns input back on.
    await expect(viewer.getByRole('button', { name: /control/i }).count()).resolves.toBe(0);
    await end(id, viewer);
  });

  let endedId = '';

  it('(4) End now on the device closes every channel there before the portal records the end', async () => {
    const { id, viewer } = await startAndView('web');
    // The customer allows both for the session, in the terminal this time.
    run.answerEvery(ALLOW_FOR_SESSION, 'a');
    await visible(canvas(viewer));
    await eventually(async () =>
      expect(nearColour(await canvasPixel(canvas(viewer), 10, 10), BLUE)).toBe(true),
    );
    await content(viewer.locator('app-shell-tab [role="status"]'), /Connected · /);
    const closesBefore = proxy.closedAt.length;

    const indicator = await waitForWindow(display, INDICATOR_TITLE);
    await pressKeys(display, indicator, 'alt+e');
    await expect(run.exited).resolves.toMatchObject({ code: 0 });

    const session = await poll(async () => {
      const s = (await api.get(`/api/remote-sessions/${id}`).expect(200)).body;
      return s.status === 'ended' && s;
    }, 'the session ended');
    endedId = id;
    expect(session.endReason).toBe('ended_on_device');
    const endedAt = Date.parse(session.endedAt);
    // The agent's connection to x11vnc closed first …
    expect(proxy.closedAt.length).toBe(closesBefore + 1);
    expect(proxy.closedAt.at(-1)!).toBeLessThanOrEqual(endedAt);
    // … and so did both relay channels of the viewer, each with "ended on the device" (4101).
    const closes = await viewer.evaluate<{ url: string; code: number; at: number }[]>('window.__closes');
    const relayCloses = closes.filter((c) => /[?&]ch=(screen|shell)/.test(c.url) && c.code === 4101);
    expect(relayCloses.map((c) => /ch=(\w+)/.exec(c.url)![1]).sort()).toEqual(['screen', 'shell']);
    for (const c of relayCloses) expect(c.at).toBeLessThanOrEqual(endedAt + 1000);
    await visible(viewer.getByText(SAYS.endedOnDevice));
  });

  it('(5) the session’s timeline shows the consent steps and the end, and the CSV export holds them', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.portal.baseUrl}/remote-sessions/${endedId}`);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    for (const line of [
      'The customer was asked to allow the screen',
      'The customer allowed the screen',
      'The customer allowed a terminal',
      'The customer ended the session on the device',
    ])
      await text(timeline, line);
    await page.close();

    const csv = await api
      .get('/api/audit-events.csv')
      .query({ sessionId: endedId })
      .buffer(true)
      .parse((res, done) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done(null, body));
      })
      .expect(200);
    const rows = (csv.body as string).split(/\r?\n/);
    expect(rows[0]).toBe(
      'id,at,actor_type,actor_id,actor_name,action,target_type,target_id,device_id,device_name,session_id,details',
    );
    // The details column is JSON inside a quoted CSV field (its quotes doubled).
    const consent = (event: string): string[] =>
      rows.filter((r) => r.includes(',remote_session.consent,') && r.includes(`""event"":""${event}""`));
    expect(consent('asked').length).toBeGreaterThanOrEqual(2);
    expect(consent('allowed').length).toBeGreaterThanOrEqual(2);
    expect(consent('ended_locally')).toHaveLength(1);
    expect(
      rows.filter((r) => r.includes(',remote_session.ended,') && r.includes('ended_on_device')),
    ).toHaveLength(1);
  });
});
