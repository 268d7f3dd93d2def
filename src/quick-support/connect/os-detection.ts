import { INSTALLER_OSES, InstallerOs } from '../../../contracts/installer-template';

/**
 * The visitor's desktop OS: an explicit `?os=` choice first, then the `Sec-CH-UA-Platform` client
 * hint (Chromium sends it by default), then the User-Agent. Phones and tablets get null: the page
 * then asks them to open the link on the computer that needs help.
 */
export function detectOs(
  userAgent: string | undefined,
  platformHint: string | undefined,
): InstallerOs | null {
  const hint = (platformHint ?? '').replace(/"/g, '').trim().toLowerCase();
  if (hint === 'windows') return 'windows';
  if (hint === 'macos') return 'macos';
  if (hint === 'linux' || hint === 'chrome os' || hint === 'chromium os') return 'linux';
  if (hint === 'android' || hint === 'ios') return null;
  const ua = (userAgent ?? '').slice(0, 512);
  if (/Android|iPhone|iPad|iPod|Mobile/i.test(ua)) return null;
  if (/Windows NT|Win64|WOW64/i.test(ua)) return 'windows';
  if (/Macintosh|Mac OS X/i.test(ua)) return 'macos';
  if (/Linux|X11|CrOS|FreeBSD/i.test(ua)) return 'linux';
  return null;
}

/**
 * A phone or tablet, by the `Sec-CH-UA-Mobile` / platform hints or the User-Agent: no installer exists
 * for it, so the page asks the visitor to open the link on the computer that needs help.
 */
export function isPhoneOrTablet(
  userAgent: string | undefined,
  platformHint: string | undefined,
  mobileHint?: string,
): boolean {
  if ((mobileHint ?? '').trim() === '?1') return true;
  const hint = (platformHint ?? '').replace(/"/g, '').trim().toLowerCase();
  if (hint === 'android' || hint === 'ios') return true;
  if (hint !== '') return false;
  return /Android|iPhone|iPad|iPod|Mobile/i.test((userAgent ?? '').slice(0, 512));
}

export function parseOsChoice(value: unknown): InstallerOs | null {
  return typeof value === 'string' && (INSTALLER_OSES as readonly string[]).includes(value)
    ? (value as InstallerOs)
    : null;
}

export const OS_LABELS: Readonly<Record<InstallerOs, string>> = {
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
};
