import { randomBytes } from 'node:crypto';
import { safe, type AgentLogger } from '../core/logger';
import type { AllowedApp, AllowedPackage } from './launch-allow-list';
import {
  RemoteHelpError,
  type RemoteHelpBackend,
  type RemoteHelpReadiness,
  type StartOutcome,
} from './remote-help-backend';
import type { ProcessHost } from './process-host';

/**
 * Quick Assist on Windows, in terms of the injected {@link ProcessHost}: which programs run, with which
 * arguments, in which session, and how their answers are read. Everything here is exercised on Linux by
 * windows-remote-help.spec.ts, which records what would run.
 *
 * Two ways onto the user's desktop:
 * - `direct`: the agent already runs in the logged-in user's session (a quick-support agent the
 *   customer started) — the program is spawned as a plain child.
 * - `task`: the agent runs as a service in session 0 (a persistent agent), where nothing it starts is
 *   visible. It registers a one-shot scheduled task for the console user with an *interactive* logon
 *   (no password: it runs only while that user is logged on, on their desktop, unelevated), starts it
 *   and deletes it. Windows' own Task Scheduler is our user-session helper; no token plumbing, no
 *   native code.
 */
export const QUICK_ASSIST = Object.freeze({
  /** The Microsoft Store package (Windows 10 21H2+ and 11). */
  packageName: 'MicrosoftCorporationII.QuickAssist',
  /** Opened through the shell, so it starts with its package identity. */
  appUserModelId: 'MicrosoftCorporationII.QuickAssist_8wekyb3d8bbwe!App',
  /** The older in-box program, used only when the Store package is absent. */
  legacyRelativePath: 'System32\\quickassist.exe',
  /** Quick Assist's Microsoft service; reaching it is what `internet_ok` means. */
  serviceHost: 'remoteassistance.support.services.microsoft.com',
  servicePort: 443,
});

const REACH_TIMEOUT_MS = 5000;
/** How long a launch waits for the program's process to appear (it can take a few seconds). */
const APPEAR_POLLS = 10;
const APPEAR_POLL_MS = 1000;
const TASK_FOLDER = '\\QuickSupport\\';

export const NO_DESKTOP_MESSAGE =
  "Nobody is logged in on this computer's screen, so there is no desktop to open Quick Assist on.";
export const NOT_INSTALLED_MESSAGE =
  'Quick Assist is not installed on this device. Install it first (winget, Microsoft Store id 9P7BP5VNWKX5).';

// ---------------------------------------------------------------------------------------------------
// PowerShell scripts. Constant text: values reach them only through environment variables (data, not
// code), and they are passed base64-encoded (-EncodedCommand), so no quoting is ever involved.
// ---------------------------------------------------------------------------------------------------

/**
 * One read-only look at the machine, as JSON: the agent's own session, the console user, the desktops
 * (explorer.exe per session and its owner), and the Quick Assist package or in-box program's version.
 */
export const PROBE_SCRIPT = `$ErrorActionPreference = 'SilentlyContinue'
$ProgressPreference = 'SilentlyContinue'
$desktops = @(Get-CimInstance -ClassName Win32_Process -Filter "Name = 'explorer.exe'" | ForEach-Object {
  $owner = Invoke-CimMethod -InputObject $_ -MethodName GetOwner
  $user = $null
  if ($owner.User) { $user = $owner.Domain + '\\' + $owner.User }
  [pscustomobject]@{ sessionId = [int]$_.SessionId; user = $user }
})
$package = Get-AppxPackage -AllUsers -Name '${QUICK_ASSIST.packageName}'
if (-not $package) { $package = Get-AppxPackage -Name '${QUICK_ASSIST.packageName}' }
$package = $package | Sort-Object -Property Version -Descending | Select-Object -First 1
$packageVersion = $null
if ($package) { $packageVersion = [string]$package.Version }
$legacy = Join-Path $env:SystemRoot '${QUICK_ASSIST.legacyRelativePath}'
$legacyVersion = $null
if (Test-Path -LiteralPath $legacy) { $legacyVersion = [string](Get-Item -LiteralPath $legacy).VersionInfo.ProductVersion }
ConvertTo-Json -Compress -Depth 4 -InputObject ([pscustomobject]@{
  agentSessionId = [int](Get-Process -Id $PID).SessionId
  consoleUser = [string](Get-CimInstance -ClassName Win32_ComputerSystem).UserName
  desktops = $desktops
  packageVersion = $packageVersion
  legacyVersion = $legacyVersion
})`;

/**
 * Starts QS_RH_FILE (with QS_RH_ARGS) on QS_RH_USER's desktop through a one-shot scheduled task with an
 * interactive logon, then deletes the task (a running instance is not stopped by that). Tasks are
 * allowed to start on battery power, which Windows otherwise refuses.
 */
export const LAUNCH_AS_USER_SCRIPT = `$ErrorActionPreference = 'Stop'
$folder = '${TASK_FOLDER}'
if ($env:QS_RH_ARGS) {
  $action = New-ScheduledTaskAction -Execute $env:QS_RH_FILE -Argument $env:QS_RH_ARGS
} else {
  $action = New-ScheduledTaskAction -Execute $env:QS_RH_FILE
}
$principal = New-ScheduledTaskPrincipal -UserId $env:QS_RH_USER -LogonType Interactive -RunLevel Limited
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit ([TimeSpan]::Zero)
Register-ScheduledTask -TaskName $env:QS_RH_TASK -TaskPath $folder -Action $action -Principal $principal -Settings $settings -Force | Out-Null
try {
  Start-ScheduledTask -TaskName $env:QS_RH_TASK -TaskPath $folder
  Start-Sleep -Seconds 2
} finally {
  Unregister-ScheduledTask -TaskName $env:QS_RH_TASK -TaskPath $folder -Confirm:$false
}`;

/** `powershell.exe` arguments that run `script` with no profile, no prompt and no quoting. */
export function powershellArgs(script: string): string[] {
  return [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-EncodedCommand',
    Buffer.from(script, 'utf16le').toString('base64'),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Reading the answers
// ---------------------------------------------------------------------------------------------------

export interface DesktopSession {
  sessionId: number;
  /** `DOMAIN\user` owning the session's explorer.exe, null when unknown. */
  user: string | null;
}

export interface RunningProcess {
  pid: number;
  sessionId: number;
}

export interface QuickAssistProbe {
  agentSessionId: number;
  consoleUser: string | null;
  desktops: DesktopSession[];
  packageVersion: string | null;
  legacyVersion: string | null;
}

const SESSION_ID = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < 65536;
const PROCESS_ID = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= 4294967295;
const USER_NAME =
  /^[^\u0000-\u001f\u007f"/[\]:|<>+=;,?*@]{1,104}\\[^\u0000-\u001f\u007f"/[\]:|<>+=;,?*@\\]{1,104}$/;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** PowerShell 5.1 sometimes writes a one-item list as the item, or wraps a list as `{value: [...]}`. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const wrapped = record(value);
  if (wrapped && Array.isArray(wrapped.value)) return wrapped.value;
  return wrapped ? [wrapped] : [];
}

function userName(value: unknown): string | null {
  return typeof value === 'string' && USER_NAME.test(value) ? value : null;
}

/** `2.0.35.0`, or the leading numbers of `10.0.19041.1 (WinBuild.160101.0800)`; null otherwise. */
export function cleanVersion(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d{1,6}(?:\.\d{1,6}){0,3})/.exec(value);
  return match ? match[1] : null;
}

/** The probe's JSON, checked field by field; null when it is not that shape (the probe failed). */
export function parseProbe(stdout: string): QuickAssistProbe | null {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.trim());
  } catch {
    return null;
  }
  const r = record(raw);
  if (!r || !SESSION_ID(r.agentSessionId)) return null;
  return {
    agentSessionId: r.agentSessionId,
    consoleUser: userName(r.consoleUser),
    desktops: listOf(r.desktops).flatMap((d) => {
      const o = record(d);
      return o && SESSION_ID(o.sessionId) && o.sessionId > 0
        ? [{ sessionId: o.sessionId, user: userName(o.user) }]
        : [];
    }),
    packageVersion: cleanVersion(r.packageVersion),
    legacyVersion: cleanVersion(r.legacyVersion),
  };
}

/** `tasklist /FO CSV /NH` lines → the processes with that image name (its "no tasks" notice is not CSV). */
export function parseTasklist(stdout: string, imageName: string): RunningProcess[] {
  const wanted = imageName.toLowerCase();
  const found: RunningProcess[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^"([^"]+)","(\d{1,10})","[^"]*","(\d{1,5})",/.exec(line.trim());
    if (!m || m[1].toLowerCase() !== wanted) continue;
    const pid = Number(m[2]);
    const sessionId = Number(m[3]);
    if (PROCESS_ID(pid) && SESSION_ID(sessionId)) found.push({ pid, sessionId });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------------

export interface TargetDesktop extends DesktopSession {
  via: 'direct' | 'task';
}

/**
 * The desktop to open Quick Assist on, or null when nobody is logged in:
 * 1. the agent's own session when it is a desktop (quick-support: the customer started the agent);
 * 2. else the console user's desktop (the person at the PC), reached through a scheduled task;
 * 3. else the only desktop there is (e.g. a machine used through Remote Desktop alone).
 * Never session 0, whose desktop nobody sees.
 */
export function pickDesktop(probe: QuickAssistProbe): TargetDesktop | null {
  const own =
    probe.agentSessionId > 0 ? probe.desktops.find((d) => d.sessionId === probe.agentSessionId) : undefined;
  if (own) return { ...own, via: 'direct' };
  const consoleUser = probe.consoleUser?.toLowerCase();
  const console = consoleUser ? probe.desktops.find((d) => d.user?.toLowerCase() === consoleUser) : undefined;
  const sessions = new Set(probe.desktops.map((d) => d.sessionId));
  const chosen = console ?? (sessions.size === 1 ? probe.desktops[0] : undefined);
  // A task runs as a named user: without one there is no way onto that desktop.
  return chosen?.user ? { ...chosen, via: 'task' } : null;
}

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

// ---------------------------------------------------------------------------------------------------
// The backend
// ---------------------------------------------------------------------------------------------------

export interface WindowsRemoteHelpOptions {
  systemRoot: string;
  /** The agent's LOCALAPPDATA (direct launches of winget); task launches use the user's own. */
  localAppData?: string;
  logger: AgentLogger;
  /** Names the one-shot scheduled task (tests pin it). */
  taskName?: () => string;
}

export class WindowsRemoteHelp implements RemoteHelpBackend {
  private readonly powershell: string;
  private readonly tasklist: string;
  private readonly taskkill: string;

  constructor(
    private readonly host: ProcessHost,
    private readonly options: WindowsRemoteHelpOptions,
  ) {
    const root = options.systemRoot;
    this.powershell = `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
    this.tasklist = `${root}\\System32\\tasklist.exe`;
    this.taskkill = `${root}\\System32\\taskkill.exe`;
  }

  async status(): Promise<RemoteHelpReadiness> {
    const [probe, internet] = await Promise.all([
      this.probe(),
      this.host.canReach(QUICK_ASSIST.serviceHost, QUICK_ASSIST.servicePort, REACH_TIMEOUT_MS),
    ]);
    const version = probe.packageVersion ?? probe.legacyVersion;
    return {
      installed: version !== null,
      version,
      internet_ok: internet,
      interactive_session: pickDesktop(probe) !== null,
    };
  }

  async start(app: AllowedApp): Promise<StartOutcome> {
    const probe = await this.probe();
    const desktop = pickDesktop(probe);
    if (!desktop) throw new RemoteHelpError('no_interactive_session', NO_DESKTOP_MESSAGE);
    const running = await this.running(app.imageName);
    const open = running.find((p) => p.sessionId === desktop.sessionId);
    if (open) return { launched: false, pid: open.pid };
    const launcher = Object.prototype.hasOwnProperty.call(WINDOWS_LAUNCHERS, app.name)
      ? WINDOWS_LAUNCHERS[app.name]
      : undefined;
    if (!launcher)
      throw new RemoteHelpError('internal', `This agent does not know how to open ${app.label} on Windows.`);
    const spec = launcher(probe, this.options.systemRoot);
    if (!spec) throw new RemoteHelpError('not_found', NOT_INSTALLED_MESSAGE);
    const before = new Set(running.map((p) => p.pid));
    await this.launch(spec, desktop, app.label);
    return { launched: true, pid: await this.waitForProcess(app.imageName, desktop.sessionId, before) };
  }

  async stop(app: AllowedApp): Promise<boolean> {
    const probe = await this.probe();
    const desktop = pickDesktop(probe);
    // Only the interactive desktop's instance: another user's Quick Assist is not ours to end.
    const targets = desktop
      ? (await this.running(app.imageName)).filter((p) => p.sessionId === desktop.sessionId)
      : [];
    if (targets.length === 0) return false;
    let ended = 0;
    for (const target of targets) {
      const result = await this.host.exec(this.taskkill, ['/PID', String(target.pid), '/T', '/F']);
      if (result.exitCode === 0) ended++;
      else this.options.logger.warn(`taskkill ${target.pid} failed: ${safe(result.stderr)}`);
    }
    if (ended === 0) throw new RemoteHelpError('internal', `Windows did not end ${app.label}.`);
    return true;
  }

  async install(pkg: AllowedPackage): Promise<number | null> {
    const probe = await this.probe();
    const desktop = pickDesktop(probe);
    // Store packages install for a user: winget runs as the desktop's user, where its window shows progress.
    if (!desktop)
      throw new RemoteHelpError(
        'no_interactive_session',
        `Nobody is logged in on this computer's screen; ${pkg.label} is installed for the logged-in user.`,
      );
    if (desktop.via === 'task') {
      await this.launch(wingetInstallSpec(pkg, '%LOCALAPPDATA%'), desktop, 'winget');
      return null;
    }
    const localAppData = this.options.localAppData;
    if (!localAppData || !/^[A-Za-z]:\\[^"%\u0000-\u001f]{1,240}$/.test(localAppData)) {
      throw new RemoteHelpError('internal', 'winget cannot be found: LOCALAPPDATA is not set for the agent.');
    }
    return this.launch(wingetInstallSpec(pkg, localAppData), desktop, 'winget');
  }

  /** Starts `spec` on `desktop`; the pid when spawned directly, null through a task. */
  private async launch(spec: LaunchSpec, desktop: TargetDesktop, label: string): Promise<number | null> {
    if (desktop.via === 'direct') {
      try {
        return await this.host.spawnDetached(spec.file, spec.args);
      } catch (err) {
        this.options.logger.warn(`could not start ${label}: ${safe(err)}`);
        throw new RemoteHelpError('internal', `Windows could not start ${label}.`);
      }
    }
    const env = {
      QS_RH_TASK: this.options.taskName?.() ?? `RemoteHelp-${randomBytes(6).toString('hex')}`,
      QS_RH_USER: desktop.user ?? '',
      QS_RH_FILE: spec.file,
      QS_RH_ARGS: spec.args.join(' '),
    };
    const result = await this.host.exec(this.powershell, powershellArgs(LAUNCH_AS_USER_SCRIPT), {
      env,
      timeoutMs: 30_000,
    });
    if (result.exitCode !== 0) {
      this.options.logger.warn(
        `scheduled-task launch of ${label} failed (${String(result.exitCode)}): ${safe(result.stderr, 300)}`,
      );
      throw new RemoteHelpError(
        'internal',
        `Windows could not start ${label} on the logged-in user's desktop.`,
      );
    }
    return null;
  }

  private async probe(): Promise<QuickAssistProbe> {
    const result = await this.host.exec(this.powershell, powershellArgs(PROBE_SCRIPT), { timeoutMs: 30_000 });
    const probe = result.exitCode === 0 ? parseProbe(result.stdout) : null;
    if (!probe) {
      this.options.logger.warn(
        `Quick Assist probe failed (${String(result.exitCode)}): ${safe(result.stderr, 300)}`,
      );
      throw new RemoteHelpError(
        'internal',
        'The agent could not read the state of Quick Assist on this device.',
      );
    }
    return probe;
  }

  private async running(imageName: string): Promise<RunningProcess[]> {
    const result = await this.host.exec(this.tasklist, [
      '/FI',
      `IMAGENAME eq ${imageName}`,
      '/FO',
      'CSV',
      '/NH',
    ]);
    return result.exitCode === 0 ? parseTasklist(result.stdout, imageName) : [];
  }

  /** The new instance's pid once it shows up in that session, or null if it has not after ~10 s. */
  private async waitForProcess(
    imageName: string,
    sessionId: number,
    before: ReadonlySet<number>,
  ): Promise<number | null> {
    for (let i = 0; i < APPEAR_POLLS; i++) {
      const fresh = (await this.running(imageName)).find(
        (p) => p.sessionId === sessionId && !before.has(p.pid),
      );
      if (fresh) return fresh.pid;
      await this.host.delay(APPEAR_POLL_MS);
    }
    return null;
  }
}
