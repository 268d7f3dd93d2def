import { installLayout } from './layout';
import {
  assertServicePath,
  launchdPlist,
  systemdUnit,
  windowsLockDownCommand,
  windowsProgramLockDownCommand,
  windowsTaskCommands,
} from './service-files';

const spec = {
  brand: 'KW Group',
  nodePath: '/usr/local/bin/node',
  agentFile: '/opt/a/agent.js',
  configFile: '/etc/a/agent.json',
};

describe('service definitions', () => {
  it('launchd runs the agent at load and keeps it alive, with XML-escaped arguments', () => {
    const plist = launchdPlist({ ...spec, configFile: '/Library/Application Support/Q&A/agent.json' });
    expect(plist).toContain('<string>com.quicksupport.agent</string>');
    expect(plist).toContain('<string>/Library/Application Support/Q&amp;A/agent.json</string>');
    expect(plist).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>KeepAlive<\/key>\s*<true\/>/);
  });

  it('Windows: a SYSTEM task at startup, and a config folder for SYSTEM and Administrators only', () => {
    const layout = installLayout('windows', '/', {
      ProgramFiles: 'C:\\Program Files',
      ProgramData: 'C:\\ProgramData',
    });
    expect(layout.configFile).toBe('C:\\ProgramData\\QuickSupportAgent\\agent.json');
    const [create, run] = windowsTaskCommands({
      ...spec,
      nodePath: 'C:\\Program Files\\QuickSupportAgent\\node\\node.exe',
      agentFile: layout.agentFile,
      configFile: layout.configFile,
    });
    expect(create[1]).toEqual(expect.arrayContaining(['/SC', 'ONSTART', '/RU', 'SYSTEM', '/RL', 'HIGHEST']));
    expect(create[1].at(-1)).toBe(
      '"C:\\Program Files\\QuickSupportAgent\\node\\node.exe" "C:\\Program Files\\QuickSupportAgent\\agent.js" run --mode persistent --config "C:\\ProgramData\\QuickSupportAgent\\agent.json"',
    );
    expect(run).toEqual(['schtasks.exe', ['/Run', '/TN', 'QuickSupportAgent']]);
    expect(windowsLockDownCommand(layout.configDir)[1]).toEqual([
      'C:\\ProgramData\\QuickSupportAgent',
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '*S-1-5-32-544:(OI)(CI)F',
    ]);
    expect(windowsProgramLockDownCommand(layout.appDir)).toEqual([
      'icacls.exe',
      [
        'C:\\Program Files\\QuickSupportAgent',
        '/inheritance:r',
        '/grant:r',
        '*S-1-5-18:(OI)(CI)F',
        '*S-1-5-32-544:(OI)(CI)F',
        '*S-1-5-32-545:(OI)(CI)RX',
        '/T',
        '/Q',
      ],
    ]);
  });

  it.each([
    '/opt/"x"/node',
    '/opt/$HOME/node',
    '/opt/`id`/node',
    '/opt/%h/node',
    '/opt/a\nExecStartPre=/bin/evil',
  ])('refuses unsafe path %j', (path) => {
    expect(() => assertServicePath(path)).toThrow();
    expect(() => systemdUnit({ ...spec, nodePath: path })).toThrow();
  });
});
