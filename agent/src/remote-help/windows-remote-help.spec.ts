import { silentLogger } from '../test-support/socket-pair';
import {
  FakeWindows,
  POWERSHELL,
  QUICK_SUPPORT_PC,
  ROOT,
  SERVICE_PC,
  STORE_ARGS,
  TASKKILL,
  TASKLIST,
  tasklistLine,
} from '../test-support/fake-windows';
import { QUICK_ASSIST_APP, QUICK_ASSIST_PACKAGE } from './launch-allow-list';
import { RemoteHelpError } from './remote-help-backend';
import { LAUNCH_AS_USER_SCRIPT, PROBE_SCRIPT } from './windows-powershell';
import { WindowsRemoteHelp } from './windows-remote-help';

function setup(probe: Record<string, unknown> | string, env: { localAppData?: string } = {}) {
  const host = new FakeWindows();
  host.probe = probe;
  const backend = new WindowsRemoteHelp(host, {
    systemRoot: ROOT,
    logger: silentLogger,
    taskName: () => 'RemoteHelp-test',
    localAppData: env.localAppData,
  });
  return { host, backend };
}

describe('WindowsRemoteHelp: status (remotehelp_status)', () => {
  it('runs one read-only PowerShell probe and one reachability check, and reports readiness', async () => {
    const { host, backend } = setup(QUICK_SUPPORT_PC);
    await expect(backend.status()).resolves.toEqual({
      installed: true,
      version: '2.0.35.0',
      internet_ok: true,
      interactive_session: true,
    });
    expect(host.calls).toEqual([
      {
        kind: 'exec',
        file: POWERSHELL,
        args: [
          '-NoLogo',
          '-NoProfile',
          '-NonInteractive',
          '-ExecutionPolicy',
          'Bypass',
          '-EncodedCommand',
          expect.any(String),
        ],
        script: PROBE_SCRIPT,
      },
      { kind: 'reach', file: 'remoteassistance.support.services.microsoft.com', args: ['443'] },
    ]);
    // The probe only reads: no task, no process start or kill in it.
    expect(PROBE_SCRIPT).not.toMatch(
      /Register-ScheduledTask|Start-Process|Stop-Process|Remove-|Set-|New-Item/,
    );
  });

  it('falls back to the in-box program and reads its version', async () => {
    const { backend } = setup({
      ...SERVICE_PC,
      packageVersion: null,
      legacyVersion: '10.0.19041.1 (WinBuild.160101.0800)',
    });
    await expect(backend.status()).resolves.toMatchObject({ installed: true, version: '10.0.19041.1' });
  });

  it('reports not installed, no internet and nobody logged in', async () => {
    const { host, backend } = setup({
      agentSessionId: 0,
      consoleUser: '',
      desktops: [],
      packageVersion: null,
      legacyVersion: null,
    });
    host.reachable = false;
    await expect(backend.status()).resolves.toEqual({
      installed: false,
      version: null,
      internet_ok: false,
      interactive_session: false,
    });
  });

  it('says so in words when Windows does not answer the probe', async () => {
    const { host, backend } = setup('not json');
    await expect(backend.status()).rejects.toMatchObject({
      code: 'internal',
      message: 'The agent could not read the state of Quick Assist on this device.',
    });
    host.probe = QUICK_SUPPORT_PC;
    host.probeExit = 1;
    await expect(backend.status()).rejects.toBeInstanceOf(RemoteHelpError);
  });
});

describe('WindowsRemoteHelp: start (remotehelp_start)', () => {
  it('quick-support: spawns the Store app through the shell in the agent’s own desktop session', async () => {
    const { host, backend } = setup(QUICK_SUPPORT_PC);
    host.tasklists = ['', '', [tasklistLine(9000, 3), tasklistLine(7412, 2)].join('\r\n')];
    await expect(backend.start(QUICK_ASSIST_APP)).resolves.toEqual({ launched: true, pid: 7412 });
    expect(host.launches()).toEqual([{ kind: 'spawn', file: 'C:\\Windows\\explorer.exe', args: STORE_ARGS }]);
    // How it finds the process: tasklist filtered by image name, CSV, no header.
    expect(host.calls.find((c) => c.file === TASKLIST)).toMatchObject({
      args: ['/FI', 'IMAGENAME eq QuickAssist.exe', '/FO', 'CSV', '/NH'],
    });
  });

  it('as a service in session 0: a one-shot interactive task for the console user, never a spawn from session 0', async () => {
    const { host, backend } = setup(SERVICE_PC);
    host.tasklists = ['', tasklistLine(6100, 1)];
    await expect(backend.start(QUICK_ASSIST_APP)).resolves.toEqual({ launched: true, pid: 6100 });
    expect(host.launches()).toEqual([
      {
        kind: 'exec',
        file: POWERSHELL,
        args: expect.arrayContaining(['-EncodedCommand']),
        script: LAUNCH_AS_USER_SCRIPT,
        env: {
          QS_RH_TASK: 'RemoteHelp-test',
          QS_RH_USER: 'CORP\\alice',
          QS_RH_FILE: 'C:\\Windows\\explorer.exe',
          QS_RH_ARGS: STORE_ARGS[0],
        },
      },
    ]);
    expect(host.calls.some((c) => c.kind === 'spawn')).toBe(false);
    // The task runs as that user, interactively and unelevated, and is removed again.
    expect(LAUNCH_AS_USER_SCRIPT).toContain('-LogonType Interactive -RunLevel Limited');
    expect(LAUNCH_AS_USER_SCRIPT).toContain('Unregister-ScheduledTask');
    expect(LAUNCH_AS_USER_SCRIPT).toContain('-AllowStartIfOnBatteries');
  });

  it('without a console user, uses the only desktop there is; with several and no console user, none', async () => {
    const single = setup({
      ...SERVICE_PC,
      consoleUser: '',
      desktops: [{ sessionId: 4, user: 'CORP\\carol' }],
    });
    await single.backend.start(QUICK_ASSIST_APP);
    expect(single.host.launches()[0].env).toMatchObject({ QS_RH_USER: 'CORP\\carol' });

    const several = setup({ ...SERVICE_PC, consoleUser: '' });
    await expect(several.backend.start(QUICK_ASSIST_APP)).rejects.toMatchObject({
      code: 'no_interactive_session',
    });
    expect(several.host.launches()).toEqual([]);
  });

  it('opens the in-box program when the Store app is absent', async () => {
    const { host, backend } = setup({
      ...QUICK_SUPPORT_PC,
      packageVersion: null,
      legacyVersion: '10.0.19041.1',
    });
    await backend.start(QUICK_ASSIST_APP);
    expect(host.launches()).toEqual([
      { kind: 'spawn', file: 'C:\\Windows\\System32\\quickassist.exe', args: [] },
    ]);
  });

  it('refuses clearly when nobody is logged in, and launches nothing', async () => {
    const { host, backend } = setup({ ...SERVICE_PC, consoleUser: '', desktops: [] });
    await expect(backend.start(QUICK_ASSIST_APP)).rejects.toEqual(
      new RemoteHelpError(
        'no_interactive_session',
        "Nobody is logged in on this computer's screen, so there is no desktop to open Quick Assist on.",
      ),
    );
    expect(host.launches()).toEqual([]);
  });

  it('says Quick Assist is missing (with the winget id) rather than launching something else', async () => {
    const { host, backend } = setup({ ...QUICK_SUPPORT_PC, packageVersion: null, legacyVersion: null });
    await expect(backend.start(QUICK_ASSIST_APP)).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('9P7BP5VNWKX5'),
    });
    expect(host.launches()).toEqual([]);
  });

  it('does not open a second Quick Assist on a desktop that has one', async () => {
    const { host, backend } = setup(SERVICE_PC);
    host.tasklists = [[tasklistLine(3003, 3), tasklistLine(4242, 1)].join('\n')];
    await expect(backend.start(QUICK_ASSIST_APP)).resolves.toEqual({ launched: false, pid: 4242 });
    expect(host.launches()).toEqual([]);
  });

  it('answers with pid null when the process has not appeared after about ten seconds', async () => {
    const { host, backend } = setup(QUICK_SUPPORT_PC);
    await expect(backend.start(QUICK_ASSIST_APP)).resolves.toEqual({ launched: true, pid: null });
    expect(host.calls.filter((c) => c.file === TASKLIST)).toHaveLength(11);
  });

  it('reports a failed scheduled-task launch in words', async () => {
    const { host, backend } = setup(SERVICE_PC);
    host.launchExit = 1;
    await expect(backend.start(QUICK_ASSIST_APP)).rejects.toMatchObject({
      code: 'internal',
      message: "Windows could not start Quick Assist on the logged-in user's desktop.",
    });
  });
});

describe('WindowsRemoteHelp: stop (remotehelp_stop)', () => {
  it('ends Quick Assist on the interactive desktop only, with taskkill by pid', async () => {
    const { host, backend } = setup(SERVICE_PC);
    host.tasklists = [
      [tasklistLine(3003, 3), tasklistLine(4242, 1), tasklistLine(4343, 1, 'notepad.exe')].join('\r\n'),
    ];
    await expect(backend.stop(QUICK_ASSIST_APP)).resolves.toBe(true);
    expect(host.calls.filter((c) => c.file === TASKKILL)).toEqual([
      { kind: 'exec', file: TASKKILL, args: ['/PID', '4242', '/T', '/F'] },
    ]);
  });

  it('answers false when none is running, killing nothing', async () => {
    const { host, backend } = setup(QUICK_SUPPORT_PC);
    host.tasklists = ['INFO: No tasks are running which match the specified criteria.'];
    await expect(backend.stop(QUICK_ASSIST_APP)).resolves.toBe(false);
    expect(host.calls.some((c) => c.file === TASKKILL)).toBe(false);
  });

  it('says so when Windows refuses to end it', async () => {
    const { host, backend } = setup(QUICK_SUPPORT_PC);
    host.tasklists = [tasklistLine(7412, 2)];
    host.taskkillExit = 1;
    await expect(backend.stop(QUICK_ASSIST_APP)).rejects.toMatchObject({
      code: 'internal',
      message: 'Windows did not end Quick Assist.',
    });
  });
});

describe('WindowsRemoteHelp: install (winget_install)', () => {
  const WINGET_ARGS = [
    'install',
    '--id',
    '9P7BP5VNWKX5',
    '--exact',
    '--source',
    'msstore',
    '--accept-package-agreements',
    '--accept-source-agreements',
    '--silent',
  ];

  it('quick-support: runs the user’s winget from the agent’s session', async () => {
    const { host, backend } = setup(QUICK_SUPPORT_PC, { localAppData: 'C:\\Users\\alice\\AppData\\Local' });
    await expect(backend.install(QUICK_ASSIST_PACKAGE)).resolves.toBe(5120);
    expect(host.launches()).toEqual([
      {
        kind: 'spawn',
        file: 'C:\\Users\\alice\\AppData\\Local\\Microsoft\\WindowsApps\\winget.exe',
        args: WINGET_ARGS,
      },
    ]);
  });

  it('as a service: the same command as the console user, through the one-shot task', async () => {
    const { host, backend } = setup(SERVICE_PC);
    await expect(backend.install(QUICK_ASSIST_PACKAGE)).resolves.toBeNull();
    expect(host.launches()[0].env).toEqual({
      QS_RH_TASK: 'RemoteHelp-test',
      QS_RH_USER: 'CORP\\alice',
      QS_RH_FILE: '%LOCALAPPDATA%\\Microsoft\\WindowsApps\\winget.exe',
      QS_RH_ARGS: WINGET_ARGS.join(' '),
    });
  });

  it('needs someone logged in', async () => {
    const { backend } = setup({ ...SERVICE_PC, desktops: [] });
    await expect(backend.install(QUICK_ASSIST_PACKAGE)).rejects.toMatchObject({
      code: 'no_interactive_session',
    });
  });
});
