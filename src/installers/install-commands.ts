import { InstallerOs, SERVED_EXTENSIONS } from '../../contracts/installer-template';

/**
 * The one-line commands people paste to run an install script. Each must really start the file as
 * served: a PowerShell script saved as `.exe` runs neither by double-click nor by `powershell -File`
 * (which insists on `.ps1`), and a bash script saved as `.dmg` does not open in Finder. So:
 *
 * - Windows: Win+R, paste, Ctrl+Shift+Enter (runs elevated). PowerShell reads the file as text and
 *   evaluates it. The command contains no `$`, backtick or double quote inside its -Command string,
 *   so it means the same whether pasted into Run, cmd.exe or a PowerShell prompt, and the profile
 *   folder is found without `$env:` expansion (which would break on a user name with a space when an
 *   outer PowerShell expanded it). It stays under the Run box's 259-character limit.
 * - macOS and Linux: `sudo bash <file>`; bash does not care about the extension.
 *
 * Templates are evaluated by `iex` on Windows: they must not rely on `$PSScriptRoot`, `param()` or
 * being invoked as a file.
 */
export function installerFileName(baseName: string, os: InstallerOs): string {
  return `${baseName}${SERVED_EXTENSIONS[os]}`;
}

export function quickRunCommand(baseName: string, os: InstallerOs): string {
  const file = installerFileName(baseName, os);
  switch (os) {
    case 'windows':
      return (
        `powershell -NoProfile -ExecutionPolicy Bypass -Command ` +
        `"iex ([IO.File]::ReadAllText([Environment]::GetFolderPath('UserProfile')+'\\Downloads\\${file}'))"`
      );
    case 'macos':
    case 'linux':
      return `sudo bash ~/Downloads/${file}`;
  }
}

/** What to do with the command, in words, per OS (shown under it on the connect page). */
export const QUICK_RUN_STEPS: Readonly<Record<InstallerOs, string>> = {
  windows:
    'Press the Windows key and R together, paste the command, then press Ctrl+Shift+Enter so it runs as administrator, and answer Yes.',
  macos:
    'Open Terminal (Applications › Utilities › Terminal), paste the command and press Return. Type your Mac password when asked; it is not shown as you type.',
  linux: 'Open a terminal, paste the command and press Enter. Type your password when sudo asks for it.',
};

/**
 * The persistent-agent install command an admin copies from the dashboard. The script is fetched from
 * `scriptUrl` with the one-shot token in an Authorization header (never in the URL, so it stays out of
 * proxy logs) and run elevated. Values are checked by the caller (config origin, base64url token).
 */
export function persistentInstallCommand(os: InstallerOs, scriptUrl: string, token: string): string {
  switch (os) {
    case 'windows':
      return (
        `powershell -NoProfile -ExecutionPolicy Bypass -Command "[Net.ServicePointManager]::SecurityProtocol='Tls12'; ` +
        `iex (Invoke-RestMethod -UseBasicParsing -Headers @{Authorization='Bearer ${token}'} -Uri '${scriptUrl}')"`
      );
    case 'macos':
    case 'linux':
      // A subshell, so the command exits with the installer's status (after removing the file)
      // without closing the admin's shell; a failed install must not look like success.
      return `(f=$(mktemp) && curl -fsSL -H 'Authorization: Bearer ${token}' '${scriptUrl}' -o "$f" && sudo bash "$f"; s=$?; rm -f "$f"; exit $s)`;
  }
}

export const PERSISTENT_RUN_STEPS: Readonly<Record<InstallerOs, string>> = {
  windows: 'Paste into PowerShell or a command prompt opened as administrator on the device.',
  macos: 'Paste into Terminal on the Mac; sudo asks for an administrator password.',
  linux: 'Paste into a shell on the device; sudo asks for a password.',
};
