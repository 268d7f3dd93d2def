import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import type { RecordingView } from '../../contracts/api/recordings';
import type { RemoteSessionView } from '../../contracts/api/remote-sessions';
import { recordingChunkName } from '../../contracts/recording/format';
import { describeCloseCode, RelayCloseCode } from '../../contracts/relay-close-codes';
import { startX11vnc } from '../../agent/src/test-support/xvfb';
import { buildAgentBundle, fakeSudoDir } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, makeSupportSession } from '../support/quick-support-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/test-app';
import { expectAccessible } from './support/accessibility';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS, type CanvasLike } from './support/chromium';
import { customerMachine, startCustomerDevice } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signInContext } from './support/technician';
import { expectAccessibleInBothThemes } from './support/themes';
import { attribute, eventually, settled, text, visible } from './support/waits';
import { canvasPixel, nearColour, needBinaries, paintRoot, startXvfb, type Rgb } from './support/x-display';

/**
 * Session recording end to end (issue 15): Debian's Chromium as the technician's viewer and dashboard,
 * the real portal and relay (which records what it carries into the folder store both share), and the
 * real Linux agent run from the downloaded script in a terminal on a desktop (Xvfb) served by x11vnc.
 *
 * A technician records a Web session (screen and shell): the desktop is blue with an orange corner, a
 * shell `echo` prints a marker, and — once the screen recording has closed its first chunk — the
 * desktop turns green; then the technician ends the session. The Recordings view lists both recordings
 * complete and verified; the screen player shows the same colours at the recorded times (seeking to
 * the middle shows blue, the end green) and the shell player the marker. A chunk deleted on disk makes
 * the recording broken, and its playback stops where it broke. A second stack, with
 * RECORDING_POLICY=required and a recordings folder the relay cannot write, ends the session with
 * `recording_failed`, and the viewer says why.
 *
 * The customer allows every channel in the terminal; a `zenity` that cannot open the display stands in
 * on the agent's PATH, so no dialog covers the colours the players are checked against.
 */
jest.setTimeout(240_000);

const SCREEN = { width: 800, height: 600 };
const BLUE: Rgb = { r: 0x33, g: 0x66, b: 0xcc };
const ORANGE: Rgb = { r: 0xff, g: 0x99, b: 0x00 };
const GREEN: Rgb = { r: 0x22, g: 0xaa, b: 0x44 };
/** Where the two pictures differ: the orange corner and the blue middle, both green later. */
const CORNER = { x: 60, y: 50 };
const MIDDLE = { x: 500, y: 400 };
const TECH = {
  email: 'recording.technician@example.test',
  name: 'Recording Technician',
  password: 'recording-technician-pw',
};
const ADMIN = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };

/** What the desktop showed first (blue, orange corner) or after the change (all green). */
type Picture = 'first' | 'second';

interface PlayerFrame {
  positionMs: number;
  state: string | null;
  size: string;
  corner: Rgb;
  middle: Rgb;
}

/** The screen player's position, state and the colours its noVNC canvas shows, read at one moment. */
function playerFrame(page: Page): Promise<PlayerFrame | null> {
  return page.locator('app-screen-player').evaluate(
    (
      host: { getAttribute(name: string): string | null; querySelector(s: string): CanvasLike | null },
      at: { corner: { x: number; y: number }; middle: { x: number; y: number } },
    ) => {
      const canvas = host.querySelector('[data-testid="player-screen"] canvas');
      const context = canvas?.getContext('2d');
      if (!canvas || !context || canvas.width === 0) return null;
      const pixel = (p: { x: number; y: number }): Rgb => {
        const [r, g, b] = Array.from(context.getImageData(p.x, p.y, 1, 1).data);
        return { r, g, b };
      };
      return {
        positionMs: Number(host.getAttribute('data-position-ms')),
        state: host.getAttribute('data-state'),
        size: `${canvas.width}x${canvas.height}`,
        corner: pixel(at.corner),
        middle: pixel(at.middle),
      };
    },
    { corner: CORNER, middle: MIDDLE },
  );
}

function shows(frame: PlayerFrame | null, picture: Picture): boolean {
  if (!frame || frame.size !== `${SCREEN.width}x${SCREEN.height}`) return false;
  return picture === 'first'
    ? nearColour(frame.corner, ORANGE) && nearColour(frame.middle, BLUE)
    : nearColour(frame.corner, GREEN) && nearColour(frame.middle, GREEN);
}

/** The player reaches its end (`data-state="ended"`) within `timeoutMs`. */
const endsWithin = (player: Locator, timeoutMs: number): Promise<void> =>
  eventually(async () => expect(await player.getAttribute('data-state')).toBe('ended'), timeoutMs);

/** Moves the seek bar as a person drags it: the value, then the change event on release. */
async function seekTo(page: Page, ms: number): Promise<void> {
  await page
    .getByTestId('player-seek')
    .evaluate((input: { value: string; dispatchEvent(event: unknown): boolean }, value: number) => {
      input.value = String(value);
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, ms);
}

/** Where the screen player ends: the last playable chunk's end, or the recording's duration. */
function playableEndMs(playback: {
  recording: RecordingView;
  chunks: { endMs: number }[];
  playableChunks: number;
}): number {
  const last = playback.playableChunks > 0 ? playback.chunks[playback.playableChunks - 1] : null;
  if (playback.recording.integrity === 'broken') return last ? last.endMs : 0;
  return Math.max(last?.endMs ?? 0, playback.recording.durationSec * 1000);
}

/** A zenity that cannot open the display, first on the customer's PATH (with the fake sudo). */
function zenityThatFails(scratch: string): void {
  const bin = fakeSudoDir(scratch);
  writeFileSync(join(bin, 'zenity'), '#!/bin/sh\necho "zenity: cannot open display" >&2\nexit 1\n');
  chmodSync(join(bin, 'zenity'), 0o755);
}

async function sessionRecordings(api: TestAgent, sessionId: string): Promise<RecordingView[]> {
  return (await api.get(`/api/remote-sessions/${sessionId}/recordings`).expect(200)).body
    .items as RecordingView[];
}

describe('a recorded session, played back in the dashboard (Chromium, real agent, x11vnc on Xvfb)', () => {
  needBinaries(
    ['Xvfb', 'x11vnc', 'script', '/usr/bin/chromium'],
    'apt-get install chromium xvfb x11vnc bsdutils',
  );

  const scratch = mkdtempSync(join(tmpdir(), 'qs-recording-'));
  const customer = customerMachine(scratch);
  const recordingsDir = join(scratch, 'recordings');
  const cleanups: Array<() => Promise<void>> = [];
  const marker = `rec-marker-${Date.now() % 100_000}`;
  let stack: RemoteStack;
  let displayNumber: number;
  let browser: Browser;
  let context: BrowserContext;
  let api: TestAgent;
  let run: ScriptRun;
  let deviceId: string;
  let sessionId: string;
  let viewer: Page;
  let page: Page;
  /** Wall-clock times around the change to green: painted, and first seen in the live viewer. */
  let greenPaintedAt = 0;
  let greenSeenAt = 0;
  let screen: RecordingView;
  let shell: RecordingView;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    const bundle = buildAgentBundle(scratch);
    const xvfb = await startXvfb(SCREEN.width, SCREEN.height);
    cleanups.push(xvfb.stop);
    displayNumber = xvfb.number;
    await paintRoot(displayNumber, BLUE, [{ x: 0, y: 0, width: 200, height: 150, colour: ORANGE }]);
    const vnc = await startX11vnc(xvfb.display);
    cleanups.push(vnc.stop);

    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
    });
    api = await stack.createTechnician(TECH);

    const support = await makeSupportSession(api, { customerName: 'Recorded customer' });
    zenityThatFails(scratch);
    const device = await startCustomerDevice(stack, support.path, api, customer, {
      env: { DISPLAY: xvfb.display, QS_VNC_PORT: String(vnc.port) },
      allowForSession: true,
    });
    run = device.run;
    deviceId = device.device.id;

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    await signInContext(context, stack.portal.baseUrl, TECH);
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('records a Web session: the live screen shows the painted colours, the shell echoes a marker, End ends it', async () => {
    // Under the default policy (optional) the technician asks for recording.
    const settings = (await api.get('/api/recordings/settings').expect(200)).body;
    expect(settings).toMatchObject({ policy: 'optional', store: 'fs' });
    const started = await api
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'web', recordingEnabled: true })
      .expect(201);
    sessionId = started.body.session.id as string;
    expect(started.body.session.recordingEnabled).toBe(true);

    viewer = await context.newPage();
    viewer.setDefaultTimeout(30_000);
    viewer.on('pageerror', (error) => pageErrors.push(`viewer: ${error.message}`));
    await viewer.goto(`${stack.portal.baseUrl}/viewer/${sessionId}`);
    await text(viewer.getByTestId('recording-indicator'), 'Recording');
    const live = viewer.locator('[data-testid="remote-screen"] canvas');
    await eventually(async () => {
      expect(nearColour(await canvasPixel(live, CORNER.x, CORNER.y), ORANGE)).toBe(true);
      expect(nearColour(await canvasPixel(live, MIDDLE.x, MIDDLE.y), BLUE)).toBe(true);
    }, 30_000);

    await viewer.getByRole('tab', { name: 'Shell' }).click();
    await text(viewer.locator('app-shell-tab [role="status"]'), /Connected · \d+ × \d+/, 30_000);
    const terminal = viewer.locator('[data-testid="remote-terminal"]');
    await terminal.click();
    // The shell works the number out, so the marker is in its output, not only in what was typed.
    await viewer.keyboard.type(`echo "${marker}-$((6*7))"`);
    await viewer.keyboard.press('Enter');
    await text(terminal.locator('.xterm-rows'), `${marker}-42`);

    // Both channels are being recorded; the screen's first chunk closes (RECORDING_CHUNK_MAX_MS) before
    // the desktop changes, so the second picture is in a later chunk than the first.
    await eventually(async () => {
      const live = await sessionRecordings(api, sessionId);
      expect(live.map((r) => `${r.channel}:${r.status}`).sort()).toEqual([
        'screen:recording',
        'shell:recording',
      ]);
      expect(live.find((r) => r.channel === 'screen')!.chunks).toBeGreaterThanOrEqual(1);
    }, 30_000);

    await viewer.getByRole('tab', { name: 'Screen' }).click();
    greenPaintedAt = Date.now();
    await paintRoot(displayNumber, GREEN, []);
    await eventually(async () => {
      expect(nearColour(await canvasPixel(live, CORNER.x, CORNER.y), GREEN)).toBe(true);
      expect(nearColour(await canvasPixel(live, MIDDLE.x, MIDDLE.y), GREEN)).toBe(true);
    }, 30_000);
    greenSeenAt = Date.now();

    await viewer.getByRole('banner').getByRole('button', { name: 'End session' }).click();
    await viewer.getByRole('alertdialog').getByRole('button', { name: 'End session' }).click();
    await eventually(async () => {
      const session = (await api.get(`/api/remote-sessions/${sessionId}`).expect(200))
        .body as RemoteSessionView;
      expect(session).toMatchObject({ status: 'ended', endReason: 'technician' });
    });
  });

  it('lists the screen and shell recordings as complete and verified, on the session’s page and in Recordings', async () => {
    // The portal verifies each recording once the relay reports it finished.
    await eventually(async () => {
      const done = await sessionRecordings(api, sessionId);
      expect(done.map((r) => `${r.channel}:${r.status}:${r.integrity}`).sort()).toEqual([
        'screen:complete:verified',
        'shell:complete:verified',
      ]);
      screen = done.find((r) => r.channel === 'screen')!;
      shell = done.find((r) => r.channel === 'shell')!;
    }, 60_000);
    expect(screen).toMatchObject({ technician: TECH.name, deviceId, mode: 'optional', legalHold: false });
    expect(screen.chunks).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(recordingsDir, screen.id, 'manifest.json'))).toBe(true);

    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(`dashboard: ${error.message}`));
    await page.goto(`${stack.portal.baseUrl}/remote-sessions/${sessionId}`);
    const listed = page.getByRole('list', { name: 'Recordings of this session' });
    for (const r of [screen, shell]) {
      const item = listed.locator(`[data-recording-id="${r.id}"]`);
      await text(item, r.channel === 'screen' ? 'Screen' : 'Shell');
      await text(item, 'Complete');
      await text(item, 'Verified');
    }

    await page.goto(`${stack.portal.baseUrl}/recordings`);
    const rows = page.getByTestId('recording-row');
    await eventually(async () => expect(await rows.count()).toBe(2));
    for (const r of [screen, shell]) {
      const row = page.locator(`tr[data-recording-id="${r.id}"]`);
      await text(row, TECH.name);
      await text(row, r.channel === 'screen' ? 'Screen' : 'Shell');
      await text(row, 'Complete');
      await attribute(row.getByTestId('recording-integrity'), 'data-integrity', 'verified');
      await text(row.getByTestId('recording-integrity'), 'Verified');
    }
    await settled(page);
    await expectAccessibleInBothThemes(page, 'the Recordings page');
    await page.screenshot({ path: join(SCREENSHOTS, 'recordings.png') });

    // From the session's page to the screen's player.
    await page.goto(`${stack.portal.baseUrl}/remote-sessions/${sessionId}`);
    await page.getByRole('link', { name: 'Screen' }).click();
    await page.waitForURL(`${stack.portal.baseUrl}/recordings/${screen.id}`);
  });

  it('plays the screen: the colours at their recorded times, 4× to the end, and a seek to the middle', async () => {
    const startedAt = Date.parse(screen.startedAt);
    const playback = (await api.get(`/api/recordings/${screen.id}/playback`).expect(200)).body;
    expect(playback.playableChunks).toBe(screen.chunks);
    const endMs = playableEndMs(playback);
    /** When the desktop turned green, in recording time (the record lies between the two). */
    const greenFrom = greenPaintedAt - startedAt;
    const greenBy = greenSeenAt - startedAt;
    expect(greenFrom).toBeGreaterThan(0);
    const player = page.getByTestId('recording-player');

    // It plays from the start on opening: the first picture, long before the desktop changed.
    await attribute(player, 'data-state', 'ready');
    await eventually(async () => {
      const frame = await playerFrame(page);
      expect(shows(frame, 'first')).toBe(true);
      expect(frame!.positionMs).toBeLessThan(greenFrom);
    }, 20_000);
    await text(page.getByTestId('recording-integrity'), 'Verified');
    await settled(page);
    await expectAccessibleInBothThemes(page, 'the screen player');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'recording-player.png') });

    // 4× to the end: the second picture, at the end of what was recorded.
    await page.getByTestId('player-speed-4').click();
    await attribute(page.getByTestId('player-speed-4'), 'aria-checked', 'true');
    await endsWithin(player, endMs / 4 + 20_000);
    const end = await playerFrame(page);
    expect(end!.positionMs).toBe(Math.round(endMs));
    await eventually(async () => expect(shows(await playerFrame(page), 'second')).toBe(true));

    // Seek back to the middle (before the desktop changed): the first picture again, paused there.
    // On a whole second: the seek bar steps by 1 s (a range input snaps its value to the step).
    const middle = Math.floor(endMs / 2 / 1000) * 1000;
    expect(middle).toBeLessThan(greenFrom - 1000);
    await seekTo(page, middle);
    await attribute(player, 'data-position-ms', String(middle));
    await attribute(player, 'data-state', 'ready');
    await eventually(async () => expect(shows(await playerFrame(page), 'first')).toBe(true));
    expect(await page.getByTestId('player-play').isVisible()).toBe(true);

    // Play on at 4×: the picture turns green once the recording reaches the change, not before.
    await page.getByTestId('player-play').click();
    await eventually(
      async () => {
        const frame = await playerFrame(page);
        expect(shows(frame, 'second')).toBe(true);
        // Drawn no earlier than the record of the change can have been played.
        expect(frame!.positionMs).toBeGreaterThanOrEqual(greenFrom - 250);
      },
      endMs / 4 + 20_000,
    );
    await endsWithin(player, endMs / 4 + 20_000);
    expect(Number(await player.getAttribute('data-position-ms'))).toBe(Math.round(endMs));
    expect(greenBy).toBeLessThanOrEqual(endMs + 1000);
  });

  it('plays the shell: the marker appears in the terminal player', async () => {
    await page.goto(`${stack.portal.baseUrl}/recordings/${shell.id}`);
    const player = page.getByTestId('recording-player');
    await attribute(player, 'data-state', 'ready');
    await page.locator('.ap-overlay-start').click();
    await text(player.locator('pre.ap-term-text'), `${marker}-42`, 60_000);
    await eventually(async () =>
      expect(Number(await player.getAttribute('data-position-ms'))).toBeGreaterThan(0),
    );
    await settled(page);
    await expectAccessible(page, 'the shell player');
  });

  it('reports a recording with a chunk deleted on disk as broken, and plays it only up to the break', async () => {
    // Someone removes the screen recording's second chunk (the one with the green desktop) from disk.
    const chunkFile = join(recordingsDir, screen.id, recordingChunkName(1, 'screen'));
    expect(existsSync(chunkFile)).toBe(true);
    unlinkSync(chunkFile);

    // An administrator verifies it from its page: the banner says where it broke.
    const admin = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    try {
      await signInContext(admin, stack.portal.baseUrl, ADMIN);
      const adminPage = await admin.newPage();
      adminPage.setDefaultTimeout(20_000);
      adminPage.on('pageerror', (error) => pageErrors.push(`admin: ${error.message}`));
      await adminPage.goto(`${stack.portal.baseUrl}/recordings/${screen.id}`);
      // The page may already say "broken": its player fetches the chunks and reports the missing one.
      // Verify checks the whole recording again either way.
      await visible(adminPage.getByTestId('recording-integrity'));
      await adminPage.getByTestId('recording-verify').click();
      await attribute(adminPage.getByTestId('recording-integrity'), 'data-integrity', 'broken');
      await text(adminPage.getByTestId('recording-integrity'), 'Broken at chunk 1');
      const banner = adminPage.getByTestId('recording-broken-banner');
      await text(
        banner,
        /missing data after \d\d:\d\d; playback stops there \(a chunk is missing, chunk 1\)/,
      );
      await expectAccessible(adminPage, 'a broken recording’s player');
    } finally {
      await admin.close();
    }

    const recording = (await api.get(`/api/recordings/${screen.id}`).expect(200)).body as RecordingView;
    expect(recording).toMatchObject({ integrity: 'broken', brokenAt: 1, brokenReason: 'chunk_missing' });
    const playback = (await api.get(`/api/recordings/${screen.id}/playback`).expect(200)).body;
    expect(playback.playableChunks).toBe(1);
    const breakMs = playableEndMs(playback);
    expect(breakMs).toBe(playback.chunks[0].endMs);
    expect(breakMs).toBeLessThan(greenPaintedAt - Date.parse(screen.startedAt));

    // The technician's list says so too, and the player stops at the break: blue to the last.
    await page.goto(`${stack.portal.baseUrl}/recordings`);
    const row = page.locator(`tr[data-recording-id="${screen.id}"]`);
    await attribute(row.getByTestId('recording-integrity'), 'data-integrity', 'broken');
    await text(row, 'Broken at chunk 1');
    await row.getByRole('link').first().click();
    await page.waitForURL(`${stack.portal.baseUrl}/recordings/${screen.id}`);
    await visible(page.getByTestId('recording-broken-banner'));
    const player = page.getByTestId('recording-player');
    await attribute(player, 'data-state', 'ready');
    await page.getByTestId('player-speed-4').click();
    await endsWithin(player, breakMs / 4 + 20_000);
    expect(Number(await player.getAttribute('data-position-ms'))).toBe(Math.round(breakMs));
    await eventually(async () => expect(shows(await playerFrame(page), 'first')).toBe(true));
    await expectAccessible(page, 'a broken recording’s player (technician)');
    expect(pageErrors).toEqual([]);
  });
});

describe('RECORDING_POLICY=required with a recordings folder the relay cannot write', () => {
  needBinaries(['script', '/usr/bin/chromium'], 'apt-get install chromium bsdutils');

  const scratch = mkdtempSync(join(tmpdir(), 'qs-recording-required-'));
  const customer = customerMachine(scratch);
  /**
   * "Read-only", honestly: the suites run as root, whom permission bits do not stop. Where the
   * filesystem and the container allow it, the recordings folder is made immutable (`chattr +i`):
   * even root cannot create anything in it, so the relay's first write fails (EPERM, `read_only`).
   * Otherwise the relay's RECORDING_DIR is put under a regular file, which no one can create a folder
   * in (ENOTDIR): its store is unusable from the start (`io`). Either way the relay cannot write.
   */
  const recordingsDir = join(scratch, 'recordings');
  let immutable = false;
  let stack: RemoteStack;
  let browser: Browser;
  let api: TestAgent;
  let run: ScriptRun;
  let deviceId: string;
  let sessionId: string;
  let viewer: Page;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const bundle = buildAgentBundle(scratch);
    mkdirSync(recordingsDir, { recursive: true, mode: 0o700 });
    immutable = spawnSync('chattr', ['+i', recordingsDir], { stdio: 'ignore' }).status === 0;
    let relayEnv: Record<string, string> | undefined;
    if (!immutable) {
      writeFileSync(join(scratch, 'not-a-folder'), 'a file where the recordings folder should be\n');
      relayEnv = { RECORDING_DIR: join(scratch, 'not-a-folder', 'recordings') };
    }
    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle, RECORDING_POLICY: 'required' },
      relayEnv,
    });
    api = await stack.createTechnician(TECH);
    const support = await makeSupportSession(api, { customerName: 'Required customer' });
    const device = await startCustomerDevice(stack, support.path, api, customer, { allowForSession: true });
    run = device.run;
    deviceId = device.device.id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    if (immutable) spawnSync('chattr', ['-i', recordingsDir], { stdio: 'ignore' });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('ends the session with recording_failed (4016), and the viewer says the recording could not be saved', async () => {
    const settings = (await api.get('/api/recordings/settings').expect(200)).body;
    expect(settings.policy).toBe('required');
    // Recorded whatever the form says: the policy decides.
    const started = await api
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'ssh', recordingEnabled: false })
      .expect(201);
    sessionId = started.body.session.id as string;
    expect(started.body.session.recordingEnabled).toBe(true);

    const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'en-US' });
    await signInContext(context, stack.portal.baseUrl, TECH);
    // Notes how each of the page's WebSockets closed (its channel and code; the browser keeps the code
    // from the page otherwise). Injected by the DevTools protocol, so the page's CSP is untouched.
    await context.addInitScript(`(() => {
      const closes = (window.__relayCloses = []);
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url, protocols) {
          super(url, protocols);
          const channel = new URL(String(url)).searchParams.get('ch');
          this.addEventListener('close', (event) => closes.push({ channel, code: event.code }));
        }
      };
    })();`);
    viewer = await context.newPage();
    viewer.setDefaultTimeout(30_000);
    await viewer.goto(`${stack.portal.baseUrl}/viewer/${sessionId}`);
    await viewer.getByRole('tab', { name: 'Shell' }).click();

    const ended = viewer.locator('header.viewer-bar .ended-text');
    // The relay's words for close code 4016, as the header tells why a session ended.
    await text(ended, describeCloseCode(RelayCloseCode.RecordingFailed).message.replace(/\.$/, ''), 60_000);
    // Over the tabs, the viewer says the session is over, and why.
    const cover = viewer.locator('.cover');
    await text(cover, 'This session has ended.');
    // …in the same words as the header.
    await text(
      cover,
      `${describeCloseCode(RelayCloseCode.RecordingFailed).message.replace(/\.$/, '')}. To help again`,
    );
    // The shell's relay connection was closed with 4016.
    expect(await viewer.evaluate('window.__relayCloses')).toContainEqual({
      channel: 'shell',
      code: RelayCloseCode.RecordingFailed,
    });
    expect(await viewer.getByRole('banner').getByRole('button', { name: 'End session' }).count()).toBe(0);
    await expectAccessible(viewer, 'the viewer of a session ended because recording failed');

    const session = (await api.get(`/api/remote-sessions/${sessionId}`).expect(200))
      .body as RemoteSessionView;
    expect(session).toMatchObject({ status: 'ended', endReason: 'recording_failed' });
    // The portal knows why: the shell's recording failed in the store.
    await eventually(async () => {
      const [recording] = await sessionRecordings(api, sessionId);
      expect(recording).toMatchObject({
        channel: 'shell',
        mode: 'required',
        failure: immutable ? 'read_only' : 'io',
      });
      expect(recording.status).not.toBe('complete');
    });
    await context.close();
  });
});
