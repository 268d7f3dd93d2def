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
import { pickDesktop, type TargetDesktop } from './windows-desktop';
import { WINDOWS_LAUNCHERS, wingetInstallSpec, type LaunchSpec } from './windows-launch';
import { LAUNCH_AS_USER_SCRIPT, PROBE_SCRIPT, powershellArgs } from './windows-powershell';
import { parseProbe, parseTasklist, type QuickAssistProbe, type RunningProcess } from './windows-probe';
import { QUICK_ASSIST } from './windows-quick-assist';

/**
 * Quick Assist on Windows, in terms of the injected {@link ProcessHost}: which programs run, with which
 * arguments, in which session, and how their answers are read. The parts live beside this file: what
 * Quick Assist is (windows-quick-assist.ts), the PowerShell scripts (windows-powershell.ts), reading
 * Windows' answers (windows-probe.ts), choosing the desktop (windows-desktop.ts) and what runs to open
 * or install something (windows-launch.ts); this backend puts them together. Everything here is
 * exercised on Linux by the specs beside each, windows-remote-help.spec.ts recording what would run.
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
const REACH_TIMEOUT_MS = 5000;
/** How long a launch waits for the program's process to appear (it can take a few seconds). */
const APPEAR_POLLS = 10;
const APPEAR_POLL_MS = 1000;

export const NO_DESKTOP_MESSAGE =
  "Nobody is logged in on this computer's screen, so there is no desktop to open Quick Assist on.";
export const NOT_INSTALLED_MESSAGE =
  'Quick Assist is not installed on this device. Install it first (winget, Microsoft Store id 9P7BP5VNWKX5).';

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
