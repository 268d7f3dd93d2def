/**
 * The launch allow-list: the only programs the agent starts, ends or installs on the portal's behalf
 * (outside the commands channel, which is a shell by design and has its own gate check). It is the trust
 * boundary of remote help — checked here, in the agent, whatever a message asks — so a compromised or
 * confused portal can at worst open or close Quick Assist, never run something else.
 *
 * Widening it is a code change reviewed with a test (launch-allow-list.spec.ts), never a message field:
 * a request names an entry, and the entry alone decides which file runs, with which arguments, where.
 */

/** A program remote help may open on the interactive user's desktop and end again. */
export interface AllowedApp {
  /** The name a request must carry, exactly (`remotehelp_start {executable}`). */
  readonly name: string;
  /** For sentences a technician reads. */
  readonly label: string;
  /** The process image name, to find it running and to end it (compared case-insensitively, as Windows does). */
  readonly imageName: string;
}

/** A package `winget_install` may install, from one source, as the desktop's user. */
export interface AllowedPackage {
  /** The winget id a request must carry, exactly. */
  readonly id: string;
  readonly source: 'msstore' | 'winget';
  readonly label: string;
}

export const QUICK_ASSIST_APP: AllowedApp = Object.freeze({
  name: 'quickassist.exe',
  label: 'Quick Assist',
  imageName: 'QuickAssist.exe',
});

/** Quick Assist's Microsoft Store id. */
export const QUICK_ASSIST_PACKAGE: AllowedPackage = Object.freeze({
  id: '9P7BP5VNWKX5',
  source: 'msstore',
  label: 'Quick Assist',
});

export const ALLOWED_APPS: readonly AllowedApp[] = Object.freeze([QUICK_ASSIST_APP]);
export const ALLOWED_PACKAGES: readonly AllowedPackage[] = Object.freeze([QUICK_ASSIST_PACKAGE]);

/**
 * The entry a request names, or undefined. An exact comparison on purpose: no case folding, trimming,
 * path or extension handling, so `C:\x\quickassist.exe`, `quickassist.exe /flag`, `QUICKASSIST.EXE` or
 * `quickassist` all fall through to a refusal rather than to a normalisation someone could game.
 */
export function allowedApp(requested: string): AllowedApp | undefined {
  return ALLOWED_APPS.find((app) => app.name === requested);
}

export function allowedPackage(requested: string): AllowedPackage | undefined {
  return ALLOWED_PACKAGES.find((pkg) => pkg.id === requested);
}

export const NOT_ALLOWED_APP_MESSAGE = `This agent opens only programs on its allow-list (${ALLOWED_APPS.map((a) => a.name).join(', ')}).`;
export const NOT_ALLOWED_PACKAGE_MESSAGE = `This agent installs only packages on its allow-list (${ALLOWED_PACKAGES.map((p) => `${p.id} = ${p.label}`).join(', ')}).`;
