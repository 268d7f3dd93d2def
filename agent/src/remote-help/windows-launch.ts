import type { AllowedPackage } from './launch-allow-list';
import type { QuickAssistProbe } from './windows-probe';
import { QUICK_ASSIST } from './windows-quick-assist';

/** What runs on Windows to open an allow-listed app or install a package: a program and its arguments. */
export interface LaunchSpec {
  file: string;
  args: string[];
}

/** How Quick Assist is opened: the Store app through the shell by its app id, else the in-box program. */
export function quickAssistLaunchSpec(probe: QuickAssistProbe, systemRoot: string): LaunchSpec | null {
  if (probe.packageVersion)
    return {
      file: `${systemRoot}\\explorer.exe`,
      args: [`shell:AppsFolder\\${QUICK_ASSIST.appUserModelId}`],
    };
  if (probe.legacyVersion) return { file: `${systemRoot}\\${QUICK_ASSIST.legacyRelativePath}`, args: [] };
  return null;
}

/**
 * How each allow-listed app is opened on Windows, by entry name. An app on the allow-list without a way
 * here cannot be started (the spec test checks every entry has one).
 */
export const WINDOWS_LAUNCHERS: Readonly<
  Record<string, (probe: QuickAssistProbe, systemRoot: string) => LaunchSpec | null>
> = Object.freeze({
  'quickassist.exe': quickAssistLaunchSpec,
});

/** winget's install command for an allow-listed package: exact id, one source, no prompts. */
export function wingetInstallSpec(pkg: AllowedPackage, localAppData: string): LaunchSpec {
  return {
    file: `${localAppData}\\Microsoft\\WindowsApps\\winget.exe`,
    args: [
      'install',
      '--id',
      pkg.id,
      '--exact',
      '--source',
      pkg.source,
      '--accept-package-agreements',
      '--accept-source-agreements',
      '--silent',
    ],
  };
}

/** SystemRoot from the environment when it looks like a Windows folder, else the usual one. */
export function windowsSystemRoot(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.SystemRoot ?? env.SYSTEMROOT;
  return value && /^[A-Za-z]:\\[A-Za-z0-9 ._()\\-]{1,200}$/.test(value) && !value.endsWith('\\')
    ? value
    : 'C:\\Windows';
}
