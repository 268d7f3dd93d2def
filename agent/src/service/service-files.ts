import { WINDOWS_TASK_NAME, LAUNCHD_LABEL } from './layout';

export interface ServiceSpec {
  brand: string;
  nodePath: string;
  agentFile: string;
  configFile: string;
}

/** Characters a path may not contain when it goes into a unit file, a plist or a task command line. */
const UNSAFE_PATH = /["'`$%\\\u0000-\u001f\u007f]/;

export function assertServicePath(path: string): string {
  if (UNSAFE_PATH.test(path.replace(/^[A-Za-z]:\\/, '').replace(/\\/g, '/')) || path.length > 1024) {
    throw new Error('install paths may not contain quotes, $, %, backslashes or control characters');
  }
  return path;
}

/** The systemd unit for a persistent Linux agent. */
export function systemdUnit(spec: ServiceSpec): string {
  const [node, agent, config] = [spec.nodePath, spec.agentFile, spec.configFile].map(assertServicePath);
  return `[Unit]
Description=${spec.brand} remote support agent
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart="${node}" "${agent}" run --mode persistent --config "${config}"
Restart=always
RestartSec=10
KillSignal=SIGTERM
TimeoutStopSec=15
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The launchd daemon plist for a persistent macOS agent. */
export function launchdPlist(spec: ServiceSpec): string {
  const args = [
    spec.nodePath,
    spec.agentFile,
    'run',
    '--mode',
    'persistent',
    '--config',
    spec.configFile,
  ].map((a) => xml(assertServicePath(a)));
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args.map((a) => `    <string>${a}</string>`).join('\n')}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>Umask</key>
  <integer>63</integer>
</dict>
</plist>
`;
}

/** A scheduled task that starts the agent as SYSTEM at boot (no native service wrapper needed). */
export function windowsTaskCommands(spec: ServiceSpec): Array<[string, string[]]> {
  const [node, agent, config] = [spec.nodePath, spec.agentFile, spec.configFile].map(assertServicePath);
  const action = `"${node}" "${agent}" run --mode persistent --config "${config}"`;
  return [
    [
      'schtasks.exe',
      [
        '/Create',
        '/TN',
        WINDOWS_TASK_NAME,
        '/SC',
        'ONSTART',
        '/RU',
        'SYSTEM',
        '/RL',
        'HIGHEST',
        '/F',
        '/TR',
        action,
      ],
    ],
    ['schtasks.exe', ['/Run', '/TN', WINDOWS_TASK_NAME]],
  ];
}

/** Makes the config folder readable by SYSTEM and Administrators only. */
export function windowsLockDownCommand(configDir: string): [string, string[]] {
  return [
    'icacls.exe',
    [
      assertServicePath(configDir),
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '*S-1-5-32-544:(OI)(CI)F',
    ],
  ];
}

/**
 * The program folder (agent.js, node\node.exe) as the SYSTEM task runs it: writable by SYSTEM and
 * Administrators only, readable by Users, nothing inherited (so a %ProgramFiles% that someone loosened
 * cannot leave the task's runtime writable by others).
 */
export function windowsProgramLockDownCommand(appDir: string): [string, string[]] {
  return [
    'icacls.exe',
    [
      assertServicePath(appDir),
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '*S-1-5-32-544:(OI)(CI)F',
      '*S-1-5-32-545:(OI)(CI)RX',
      '/T',
      '/Q',
    ],
  ];
}
