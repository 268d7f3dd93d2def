import type { ExecOptions, ExecResult, ProcessHost } from '../remote-help/process-host';
import { LAUNCH_AS_USER_SCRIPT, PROBE_SCRIPT } from '../remote-help/windows-powershell';

/**
 * A Windows machine for the specs of agent/src/remote-help/windows-*.ts, which run on Linux: the
 * program paths the backend uses, a {@link ProcessHost} that answers like Windows and records what
 * would have run, and the two kinds of PC the agent meets.
 */
export const ROOT = 'C:\\Windows';
export const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
export const TASKLIST = 'C:\\Windows\\System32\\tasklist.exe';
export const TASKKILL = 'C:\\Windows\\System32\\taskkill.exe';
export const STORE_ARGS = ['shell:AppsFolder\\MicrosoftCorporationII.QuickAssist_8wekyb3d8bbwe!App'];

export interface Call {
  kind: 'exec' | 'spawn' | 'reach';
  file: string;
  args: readonly string[];
  /** The script a PowerShell call runs, decoded from -EncodedCommand. */
  script?: string;
  env?: Readonly<Record<string, string>>;
}

/** What the machine would answer, and a record of what the agent would have run. */
export class FakeWindows implements ProcessHost {
  readonly calls: Call[] = [];
  probe: Partial<Record<string, unknown>> | string = {};
  probeExit = 0;
  launchExit = 0;
  taskkillExit = 0;
  reachable = true;
  /** tasklist answers, one per call; the last repeats. */
  tasklists: string[] = [''];
  spawnedPid = 5120;

  exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const encoded = args.indexOf('-EncodedCommand');
    const script = encoded >= 0 ? Buffer.from(args[encoded + 1], 'base64').toString('utf16le') : undefined;
    this.calls.push({ kind: 'exec', file, args, script, ...(options.env && { env: options.env }) });
    if (file === POWERSHELL && script === PROBE_SCRIPT) {
      const stdout = typeof this.probe === 'string' ? this.probe : JSON.stringify(this.probe);
      return Promise.resolve({
        exitCode: this.probeExit,
        stdout,
        stderr: this.probeExit ? 'Access is denied.' : '',
      });
    }
    if (file === POWERSHELL && script === LAUNCH_AS_USER_SCRIPT)
      return Promise.resolve({ exitCode: this.launchExit, stdout: '', stderr: this.launchExit ? 'no' : '' });
    if (file === TASKLIST)
      return Promise.resolve({
        exitCode: 0,
        stdout: this.tasklists.length > 1 ? this.tasklists.shift()! : this.tasklists[0],
        stderr: '',
      });
    if (file === TASKKILL)
      return Promise.resolve({
        exitCode: this.taskkillExit,
        stdout: '',
        stderr: this.taskkillExit ? 'denied' : '',
      });
    return Promise.resolve({ exitCode: 1, stdout: '', stderr: `unexpected ${file}` });
  }

  spawnDetached(file: string, args: readonly string[]): Promise<number> {
    this.calls.push({ kind: 'spawn', file, args });
    return Promise.resolve(this.spawnedPid);
  }

  canReach(host: string, port: number): Promise<boolean> {
    this.calls.push({ kind: 'reach', file: host, args: [String(port)] });
    return Promise.resolve(this.reachable);
  }

  delay(): Promise<void> {
    return Promise.resolve();
  }

  launches(): Call[] {
    return this.calls.filter((c) => c.kind === 'spawn' || c.script === LAUNCH_AS_USER_SCRIPT);
  }
}

export const tasklistLine = (pid: number, session: number, image = 'QuickAssist.exe'): string =>
  `"${image}","${pid}","Console","${session}","48,212 K"`;

/** A customer's PC: the quick-support agent runs in alice's own desktop session (2). */
export const QUICK_SUPPORT_PC = {
  agentSessionId: 2,
  consoleUser: 'DESKTOP-7\\alice',
  desktops: [{ sessionId: 2, user: 'DESKTOP-7\\alice' }],
  packageVersion: '2.0.35.0',
  legacyVersion: null,
};

/** A managed PC: the persistent agent runs as SYSTEM in session 0; alice is at the console, bob on RDP. */
export const SERVICE_PC = {
  agentSessionId: 0,
  consoleUser: 'CORP\\alice',
  desktops: [
    { sessionId: 3, user: 'CORP\\bob' },
    { sessionId: 1, user: 'CORP\\alice' },
  ],
  packageVersion: '2.0.35.0',
  legacyVersion: null,
};
