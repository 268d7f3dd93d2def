import { ALLOWED_APPS, ALLOWED_PACKAGES, allowedApp, allowedPackage } from './launch-allow-list';
import { WINDOWS_LAUNCHERS } from './windows-launch';

/**
 * The allow-list is reviewed code. Adding an entry must change these expectations on purpose, and each
 * entry needs a Windows launcher that decides, by itself, what runs.
 */
describe('launch allow-list', () => {
  it('holds exactly Quick Assist, and the Quick Assist Store package', () => {
    expect(ALLOWED_APPS.map((a) => a.name)).toEqual(['quickassist.exe']);
    expect(ALLOWED_PACKAGES.map((p) => [p.id, p.source])).toEqual([['9P7BP5VNWKX5', 'msstore']]);
    expect(
      Object.isFrozen(ALLOWED_APPS) && Object.isFrozen(ALLOWED_APPS[0]) && Object.isFrozen(ALLOWED_PACKAGES),
    ).toBe(true);
  });

  it('has a Windows launcher for every entry', () => {
    for (const app of ALLOWED_APPS) expect(typeof WINDOWS_LAUNCHERS[app.name]).toBe('function');
  });

  it('accepts the exact name only', () => {
    expect(allowedApp('quickassist.exe')?.label).toBe('Quick Assist');
    expect(allowedPackage('9P7BP5VNWKX5')?.label).toBe('Quick Assist');
  });

  it.each([
    ['another program', 'cmd.exe'],
    ['PowerShell', 'powershell.exe'],
    ['the uninstaller of the agent', 'uninstall'],
    ['a full path to another program', 'C:\\Windows\\System32\\cmd.exe'],
    ['a full path ending in the allowed name', 'C:\\Users\\Public\\quickassist.exe'],
    ['a UNC path', '\\\\attacker\\share\\quickassist.exe'],
    ['a relative path', '..\\..\\quickassist.exe'],
    ['a forward-slash path', './quickassist.exe'],
    ['an argument after the name', 'quickassist.exe /uninstall'],
    ['a second command', 'quickassist.exe & calc.exe'],
    ['a PowerShell sub-expression', 'quickassist.exe; $(Start-Process calc)'],
    ['quotes around the name', '"quickassist.exe"'],
    ['a different case', 'QuickAssist.exe'],
    ['upper case', 'QUICKASSIST.EXE'],
    ['no extension', 'quickassist'],
    ['another extension', 'quickassist.bat'],
    ['a double extension', 'quickassist.exe.bat'],
    ['an alternate data stream', 'quickassist.exe:evil.exe'],
    ['a trailing dot', 'quickassist.exe.'],
    ['a trailing space', 'quickassist.exe '],
    ['a leading space', ' quickassist.exe'],
    ['a NUL byte', 'quickassist.exe\u0000.bat'],
    ['a newline', 'quickassist.exe\ncalc.exe'],
    ['a Cyrillic look-alike', 'quickаssist.exe'],
    ['an environment variable', '%COMSPEC%'],
    ['a shell URI', 'shell:AppsFolder\\Microsoft.WindowsTerminal_8wekyb3d8bbwe!App'],
    ['the empty string', ''],
    ['the prototype', '__proto__'],
    ['a property name', 'constructor'],
  ])('refuses %s', (_label, name) => {
    expect(allowedApp(name)).toBeUndefined();
  });

  it.each([
    ['another package', 'Microsoft.PowerShell'],
    ['a lower-case id', '9p7bp5vnwkx5'],
    ['the id with an extra flag', '9P7BP5VNWKX5 --override "/S"'],
    ['a manifest path', 'C:\\temp\\evil.yaml'],
    ['an empty id', ''],
  ])('refuses to install %s', (_label, id) => {
    expect(allowedPackage(id)).toBeUndefined();
  });
});
