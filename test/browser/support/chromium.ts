import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CLIENT_DIR } from '../../../src/app-setup';

/** The project root. */
export const ROOT = join(__dirname, '..', '..', '..');
/** Where the suites leave the screenshots the docs show. */
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, headless, without background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** The portal serves dist/client/browser; build it once if this checkout has not yet. */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(CLIENT_DIR, 'index.html'))) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'ng'), ['build', '--configuration', 'production'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 170_000,
  });
}

/** A `<canvas>` as seen from a function evaluated in the page (the suites lack the DOM typings). */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
