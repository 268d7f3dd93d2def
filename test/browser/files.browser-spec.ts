import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Download, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import { buildAgentBundle } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, makeSupportSession } from '../support/quick-support-factories';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS } from './support/chromium';
import { customerMachine, startCustomerDevice } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signInAndOpenViewer, startRemoteSession } from './support/technician';
import { expectAccessibleInBothThemes } from './support/themes';
import { eventually, settled, text, visible } from './support/waits';
import { needBinaries } from './support/x-display';

/**
 * The Files tab as a technician meets it: the real portal and relay, the real Linux agent run from
 * the downloaded script in a real terminal (the customer allows each channel there), and the viewer
 * in Debian's Chromium. Uploads by drag and drop land on the device byte for byte; downloads reach
 * the browser's download folder (and, through the File System Access API, a picked file) byte for
 * byte; a cancelled transfer leaves nothing on either side; an upload continues after its relay
 * connection is cut; the device's refusals (permission denied, a path that is not absolute, a name
 * with a separator) are shown in words; a 256 MiB download keeps the page's JS heap bounded.
 */
jest.setTimeout(240_000);

const MIB = 1024 * 1024;
const TECH = { email: 'files.technician@example.test', name: 'Files Technician', password: 'files-tech-pw' };
/**
 * Deterministic bytes, the same in Node and in the page (the function is sent there as text): an
 * LCG, so a shifted or repeated chunk changes the hash.
 */
function patternBytes(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const PATTERN_SOURCE = patternBytes.toString();

/** What the functions evaluated in the page use of it (the suites compile without the DOM typings). */
interface OpfsRoot {
  getFileHandle(
    name: string,
    options?: { create: boolean },
  ): Promise<{
    getFile(): Promise<{ size: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  }>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}
interface PageGlobals {
  navigator: { storage: { getDirectory(): Promise<OpfsRoot> } };
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: unknown[], name: string) => unknown;
  showSaveFilePicker?: unknown;
}

/** Throughput in words for the suite's log (how fast the whole path is on this machine). */
function rate(bytes: number, since: number): string {
  const seconds = (Date.now() - since) / 1000;
  return `${(bytes / MIB).toFixed(0)} MiB in ${seconds.toFixed(1)} s (${(bytes / MIB / seconds).toFixed(1)} MiB/s)`;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('the Files tab (Chromium, real portal, relay, Linux agent)', () => {
  needBinaries(['/usr/bin/chromium', 'script'], 'apt-get install chromium bsdutils');

  const scratch = mkdtempSync(join(tmpdir(), 'qs-files-'));
  const customerDir = customerMachine(scratch);
  /** The device folder the suite works in. */
  const inbox = join(customerDir.home, 'inbox');
  let stack: RemoteStack;
  let browser: Browser;
  let context: BrowserContext;
  let viewer: Page;
  let cdp: CDPSession;
  let tech: TestAgent;
  let run: ScriptRun | undefined;
  let sessionId = '';
  const pageErrors: string[] = [];
  const downloads: Download[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(inbox, { recursive: true });
    const bundle = buildAgentBundle(scratch);
    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
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

  const files = (): ReturnType<Page['locator']> => viewer.locator('app-files-tab');
  const listing = (): ReturnType<Page['locator']> => viewer.getByTestId('files-listing');
  const row = (name: string): ReturnType<Page['locator']> =>
    listing().locator(`[role="row"][data-name="${name}"]`);
  const transfer = (name: string, direction: 'upload' | 'download'): ReturnType<Page['locator']> =>
    files().locator(`li.transfer[data-direction="${direction}"][data-name="${name}"]`).last();

  /** Types a path into the path bar and presses Enter; waits for the listing of it. */
  async function goTo(path: string): Promise<void> {
    const input = viewer.getByLabel('Path on the device');
    await input.fill(path);
    await input.press('Enter');
    await eventually(async () => expect(await listing().getAttribute('aria-label')).toBe(`Files in ${path}`));
    await eventually(async () => expect(await listing().getAttribute('aria-busy')).toBe('false'));
  }

  /** Files dropped onto the listing, made in the page from the pattern. */
  async function dropFiles(specs: { name: string; seed: number; size: number }[]): Promise<void> {
    const dataTransfer = await viewer.evaluateHandle(
      ({ specs, source }) => {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        const pattern = new Function(`return (${source})`)() as (seed: number, size: number) => Uint8Array;
        const g = globalThis as unknown as PageGlobals;
        const dt = new g.DataTransfer();
        for (const spec of specs) dt.items.add(new g.File([pattern(spec.seed, spec.size)], spec.name));
        return dt;
      },
      { specs, source: PATTERN_SOURCE },
    );
    await listing().dispatchEvent('dragenter', { dataTransfer });
    await listing().dispatchEvent('dragover', { dataTransfer });
    await listing().dispatchEvent('drop', { dataTransfer });
    await dataTransfer.dispose();
  }

  async function verified(
    name: string,
    direction: 'upload' | 'download',
    timeoutMs = 120_000,
  ): Promise<string> {
    const line = transfer(name, direction).getByTestId('transfer-line');
    await text(line, /Verified \(SHA-256 [0-9a-f]{64}\)/, timeoutMs);
    return /SHA-256 ([0-9a-f]{64})/.exec(await line.innerText())![1];
  }

  /** Waits until a running transfer's bar reaches `percent`. */
  async function reaches(name: string, direction: 'upload' | 'download', percent: number): Promise<void> {
    const bar = transfer(name, direction).getByRole('progressbar');
    await eventually(
      async () => expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(percent),
      60_000,
    );
  }

  it('the customer runs the script; a session starts for the device', async () => {
    const support = await makeSupportSession(tech, { customerName: 'Accounting PC' });
    // The customer allows every channel for the session (the files channel is asked for on demand).
    const customer = await startCustomerDevice(stack, support.path, tech, customerDir, {
      allowForSession: true,
    });
    run = customer.run;
    sessionId = await startRemoteSession(tech, customer.device.id, 'ssh');
  });

  it('opens the Files tab: the customer allows it, and the tab lists the home folder', async () => {
    context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      locale: 'en-US',
      acceptDownloads: true,
    });
    // Downloads take the browser's own save path unless a test puts a picker back.
    await context.addInitScript(() => {
      Object.defineProperty(globalThis, 'showSaveFilePicker', {
        value: undefined,
        configurable: true,
        writable: true,
      });
    });
    viewer = await context.newPage();
    viewer.setDefaultTimeout(30_000);
    viewer.on('pageerror', (error) => pageErrors.push(error.message));
    viewer.on('download', (d) => downloads.push(d));
    cdp = await context.newCDPSession(viewer);
    await signInAndOpenViewer(viewer, stack.portal.baseUrl, TECH, sessionId);
    await viewer.getByRole('tab', { name: 'Files' }).click();

    await text(viewer.getByTestId('files-status'), 'Connected', 90_000);
    await eventually(async () =>
      expect(await listing().getAttribute('aria-label')).toBe(`Files in ${customerDir.home}`),
    );
    await visible(row('inbox'));
    await visible(
      files().getByRole('navigation', { name: 'Places on the device' }).getByRole('button', { name: 'Home' }),
    );
  });

  it('takes two files dropped onto the listing; both land on the device byte for byte', async () => {
    await goTo(inbox);
    const small = { name: 'notes.txt', seed: 1, size: 12_345 };
    const big = { name: 'big.bin', seed: 2, size: 50 * MIB };
    const since = Date.now();
    await dropFiles([small, big]);
    const [smallSum, bigSum] = [await verified(small.name, 'upload'), await verified(big.name, 'upload')];
    console.log(`upload (drag and drop): ${rate(big.size + small.size, since)}`);
    for (const [spec, shown] of [
      [small, smallSum],
      [big, bigSum],
    ] as const) {
      const onDevice = readFileSync(join(inbox, spec.name));
      const expected = patternBytes(spec.seed, spec.size);
      expect(onDevice.length).toBe(spec.size);
      expect(sha256(onDevice)).toBe(sha256(expected));
      expect(shown).toBe(sha256(expected));
    }
    // The listing shows them (refreshed after each upload), with size, type and permissions.
    await visible(row('big.bin'));
    await text(row('big.bin'), /50 MiB/);
    await text(row('big.bin'), /BIN file/);
    await text(row('big.bin'), /-rw-------|-rw-r--r--|-rw-rw-r--|-rw-rw-rw-/);
    expect(readdirSync(inbox).filter((n) => n.endsWith('.qspart'))).toEqual([]);
  });

  it('queues more files than the device takes at once, and sends them all', async () => {
    // The agent runs at most 4 transfers at once (FILES_MAX_TRANSFERS); the tab waits for a slot.
    const batch = Array.from({ length: 7 }, (_, i) => ({
      name: `batch-${i}.dat`,
      seed: 100 + i,
      size: MIB + i,
    }));
    await dropFiles(batch);
    for (const spec of batch) {
      expect(await verified(spec.name, 'upload')).toBe(sha256(patternBytes(spec.seed, spec.size)));
      expect(sha256(readFileSync(join(inbox, spec.name)))).toBe(sha256(patternBytes(spec.seed, spec.size)));
    }
    expect(await files().locator('li.transfer[data-status="failed"]').count()).toBe(0);
  });

  it('asks before replacing a file, and replaces it when the technician says so', async () => {
    await dropFiles([{ name: 'notes.txt', seed: 3, size: 999 }]);
    const dialog = viewer.getByRole('alertdialog');
    await text(dialog, 'Replace “notes.txt” on the device?');
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await eventually(async () =>
      expect(await transfer('notes.txt', 'upload').getAttribute('data-status')).toBe('verified'),
    );
    expect(sha256(readFileSync(join(inbox, 'notes.txt')))).toBe(sha256(patternBytes(3, 999)));
  });

  it('downloads a file into the browser’s download folder, verified', async () => {
    const bytes = patternBytes(4, 3 * MIB + 7);
    writeFileSync(join(inbox, 'report.log'), bytes);
    await viewer.getByRole('button', { name: 'Refresh the listing' }).click();
    await row('report.log').click();
    const saved = viewer.waitForEvent('download');
    await files().getByRole('button', { name: 'Download', exact: true }).click();
    const download = await saved;
    expect(download.suggestedFilename()).toBe('report.log');
    const onDisk = readFileSync(await download.path());
    expect(sha256(onDisk)).toBe(sha256(bytes));
    expect(await verified('report.log', 'download')).toBe(sha256(bytes));
  });

  it('streams a download into a picked file (File System Access API) and verifies it', async () => {
    await usePicker();
    await row('big.bin').click();
    const since = Date.now();
    await files().getByRole('button', { name: 'Download', exact: true }).click();
    expect(await verified('big.bin', 'download')).toBe(sha256(patternBytes(2, 50 * MIB)));
    console.log(`download (picked file): ${rate(50 * MIB, since)}`);
    const written = await viewer.evaluate(async () => {
      const root = await (globalThis as unknown as PageGlobals).navigator.storage.getDirectory();
      const file = await (await root.getFileHandle('big.bin')).getFile();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      await root.removeEntry('big.bin');
      return { size: file.size, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
    });
    expect(written).toEqual({ size: 50 * MIB, sha256: sha256(patternBytes(2, 50 * MIB)) });
    await noPicker();
  });

  it('keeps the page’s JS heap bounded while it downloads 256 MiB', async () => {
    const size = 256 * MIB;
    const block = patternBytes(5, MIB);
    const big = join(inbox, 'disk.img');
    rmSync(big, { force: true });
    for (let i = 0; i < 256; i++) writeFileSync(big, block, { flag: 'a' });
    await viewer.getByRole('button', { name: 'Refresh the listing' }).click();
    await row('disk.img').click();

    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const before = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await cdp.send('Runtime.getHeapUsage')).usedSize);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const saved = viewer.waitForEvent('download', { timeout: 180_000 });
    const since = Date.now();
    await files().getByRole('button', { name: 'Download', exact: true }).click();
    const download = await saved;
    console.log(`download (browser's download folder): ${rate(size, since)}`);
    sampling = false;
    await sampler;
    const growth = peak - before;
    console.log(
      `JS heap: ${(before / MIB).toFixed(1)} MiB before, peak growth ${(growth / MIB).toFixed(1)} MiB over a 256 MiB download`,
    );
    expect(growth).toBeLessThan(96 * MIB);
    const onDisk = createHash('sha256');
    for (const chunk of [readFileSync(await download.path())]) onDisk.update(chunk);
    const expected = createHash('sha256');
    for (let i = 0; i < 256; i++) expected.update(block);
    expect(onDisk.digest('hex')).toBe(expected.digest('hex'));
    await verified('disk.img', 'download');
    expect(size).toBe(256 * MIB);
  });

  it('cancels an upload half-way: nothing of it stays on the device', async () => {
    await dropFiles([{ name: 'cancelled.bin', seed: 6, size: 192 * MIB }]);
    await reaches('cancelled.bin', 'upload', 10);
    await transfer('cancelled.bin', 'upload').getByRole('button', { name: 'Cancel cancelled.bin' }).click();
    await eventually(async () =>
      expect(await transfer('cancelled.bin', 'upload').getAttribute('data-status')).toBe('cancelled'),
    );
    await eventually(() => expect(readdirSync(inbox).filter((n) => n.includes('cancelled.bin'))).toEqual([]));
  });

  it('cancels a download half-way: nothing is saved in the browser', async () => {
    await usePicker();
    await row('disk.img').click();
    const before = downloads.length;
    await files().getByRole('button', { name: 'Download', exact: true }).click();
    await reaches('disk.img', 'download', 10);
    await transfer('disk.img', 'download').getByRole('button', { name: 'Cancel disk.img' }).click();
    await eventually(async () =>
      expect(await transfer('disk.img', 'download').getAttribute('data-status')).toBe('cancelled'),
    );
    const left = await viewer.evaluate(async () => {
      const root = await (globalThis as unknown as PageGlobals).navigator.storage.getDirectory();
      const names: string[] = [];
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
        names.push(name);
      return names;
    });
    expect(left.filter((n) => n.startsWith('disk.img'))).toEqual([]);
    expect(downloads.length).toBe(before);
    await noPicker();
  });

  it('continues an upload after its relay connection is cut', async () => {
    const spec = { name: 'resumed.bin', seed: 7, size: 160 * MIB };
    await dropFiles([spec]);
    await reaches(spec.name, 'upload', 15);
    // The technician moves on to another folder while it runs (the new connection must list the
    // upload's folder again before the device takes the rest).
    await goTo(customerDir.home);
    // The relay cuts both sides of the files pair, as a dropped network would.
    expect(
      stack.relay.registry.closeSession(sessionId, 'files', RelayCloseCode.PeerUnresponsive, 'relay'),
    ).toBe(1);
    await eventually(async () =>
      expect(await transfer(spec.name, 'upload').getAttribute('data-status')).toBe('interrupted'),
    );
    const closed = viewer.getByTestId('files-closed');
    await visible(closed);
    await closed.getByRole('button', { name: 'Reconnect' }).click();
    await text(transfer(spec.name, 'upload').getByTestId('transfer-line'), /resumed at \d/, 90_000);
    const sum = await verified(spec.name, 'upload', 180_000);
    const expected = sha256(patternBytes(spec.seed, spec.size));
    expect(sum).toBe(expected);
    expect(sha256(readFileSync(join(inbox, spec.name)))).toBe(expected);
    expect(readdirSync(inbox).filter((n) => n.endsWith('.qspart'))).toEqual([]);
  });

  it('says in words when the device refuses: permission denied, a relative path, a name with a separator', async () => {
    // Root may write almost anywhere; not into /sys.
    await goTo('/sys');
    await files().getByRole('button', { name: 'New folder' }).click();
    await viewer.getByLabel('New folder name').fill('probe');
    await viewer.getByLabel('New folder name').press('Enter');
    await text(files().locator('#files-form-error'), /permission_denied|io_error/);
    await files().getByRole('button', { name: 'Cancel', exact: true }).click();

    // A path that is not absolute: the device refuses it, the tab stays where it was.
    const input = viewer.getByLabel('Path on the device');
    await input.fill('../..');
    await input.press('Enter');
    await text(viewer.getByTestId('files-list-error'), /\(bad_path\)|\(not_found\)/);

    await goTo(inbox);
    await row('notes.txt').click();
    await files().getByRole('button', { name: 'Rename' }).click();
    const name = viewer.getByLabel('New name for “notes.txt”');
    await name.fill('../../escaped.txt');
    await name.press('Enter');
    await text(
      files().locator('#files-form-error'),
      'A name cannot contain / or \\: it names one item in this folder.',
    );
    expect(existsSync(join(customerDir.home, '..', 'escaped.txt'))).toBe(false);
    await name.fill('renamed.txt');
    await name.press('Enter');
    await visible(row('renamed.txt'));
    expect(existsSync(join(inbox, 'renamed.txt'))).toBe(true);
    // The channel still works after the refusals.
    await text(viewer.getByTestId('files-status'), 'Connected');
  });

  it('creates a folder, and deletes after a question that names what is deleted', async () => {
    await files().getByRole('button', { name: 'New folder' }).click();
    await viewer.getByLabel('New folder name').fill('old logs');
    await viewer.getByLabel('New folder name').press('Enter');
    await visible(row('old logs'));
    writeFileSync(join(inbox, 'old logs', 'a.log'), 'x');
    await row('old logs').click();
    await files().getByRole('button', { name: 'Delete' }).click();
    const dialog = viewer.getByRole('alertdialog');
    await text(dialog, 'Delete “old logs”?');
    await text(dialog, /The folder “old logs” in .*inbox and everything in it are deleted/);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => expect(await row('old logs').count()).toBe(0));
    expect(existsSync(join(inbox, 'old logs'))).toBe(false);
  });

  it('lists a folder of 10,000 entries without rendering them all, and sorts it', async () => {
    const crowd = join(customerDir.home, 'crowd');
    mkdirSync(crowd);
    for (let i = 0; i < 10_000; i++) writeFileSync(join(crowd, `item-${String(i).padStart(5, '0')}.txt`), '');
    await goTo(crowd);
    await text(files().locator('.listing-foot'), /10000 items/, 60_000);
    expect(await listing().locator('[role="row"]').count()).toBeLessThan(200);
    await files().getByRole('button', { name: /^Name/ }).click();
    await visible(row('item-09999.txt'));
    await attributeIs(files().getByRole('columnheader', { name: /Name/ }), 'aria-sort', 'descending');
  });

  it('downloads a folder as a zip built on the device, verified', async () => {
    await goTo(inbox);
    mkdirSync(join(inbox, 'logs'), { recursive: true });
    writeFileSync(join(inbox, 'logs', 'app.log'), 'started\nstopped\n');
    await files().getByRole('button', { name: 'Refresh the listing' }).click();
    await row('logs').click();
    const saved = viewer.waitForEvent('download');
    await files().getByRole('button', { name: 'Download as zip' }).click();
    const download = await saved;
    expect(download.suggestedFilename()).toBe('logs.zip');
    const zip = readFileSync(await download.path());
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(zip.includes(Buffer.from('app.log'))).toBe(true);
    expect(await verified('logs.zip', 'download')).toBe(sha256(zip));
  });

  it('is accessible in both themes, and leaves a screenshot', async () => {
    await goTo(inbox);
    // Back to the usual order (the crowd test sorted by name, descending).
    await files().getByRole('button', { name: /^Name/ }).click();
    await row('big.bin').click();
    await settled(viewer);
    await expectAccessibleInBothThemes(viewer, 'files tab');
    await viewer.screenshot({ path: join(SCREENSHOTS, 'viewer-files.png') });
    expect(pageErrors).toEqual([]);
  });

  async function usePicker(): Promise<void> {
    await viewer.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.showSaveFilePicker = async (options: { suggestedName: string }) =>
        (await g.navigator.storage.getDirectory()).getFileHandle(options.suggestedName, { create: true });
    });
  }

  async function noPicker(): Promise<void> {
    await viewer.evaluate(() => {
      (globalThis as unknown as PageGlobals).showSaveFilePicker = undefined;
    });
  }
});

async function attributeIs(locator: ReturnType<Page['locator']>, name: string, value: string): Promise<void> {
  await eventually(async () => expect(await locator.getAttribute(name)).toBe(value));
}
