import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLER_OSES, SERVED_EXTENSIONS } from '../../contracts/installer-template';
import { installerFileName, persistentInstallCommand, quickRunCommand } from './install-commands';

describe('quick-support run commands', () => {
  it.each(INSTALLER_OSES)('for %s names exactly the served file in the Downloads folder', (os) => {
    const file = installerFileName('kwgroup-quicksupport', os);
    expect(file).toBe(`kwgroup-quicksupport${SERVED_EXTENSIONS[os]}`);
    const command = quickRunCommand('kwgroup-quicksupport', os);
    expect(command).toContain(`Downloads${os === 'windows' ? '\\' : '/'}${file}`);
    expect(command).not.toContain('\n');
  });

  it('runs the shell scripts with sudo bash (a .dmg never opens in Finder, a .sh needs no exec bit)', () => {
    expect(quickRunCommand('kwgroup-quicksupport', 'linux')).toBe(
      'sudo bash ~/Downloads/kwgroup-quicksupport.sh',
    );
    expect(quickRunCommand('kwgroup-quicksupport', 'macos')).toBe(
      'sudo bash ~/Downloads/kwgroup-quicksupport.dmg',
    );
  });

  it('evaluates the Windows .exe as PowerShell text, never with -File (which demands .ps1)', () => {
    const command = quickRunCommand('kwgroup-quicksupport', 'windows');
    expect(command).toBe(
      `powershell -NoProfile -ExecutionPolicy Bypass -Command "iex ([IO.File]::ReadAllText([Environment]::GetFolderPath('UserProfile')+'\\Downloads\\kwgroup-quicksupport.exe'))"`,
    );
    expect(command).not.toMatch(/-File\b/);
    // One double-quoted -Command argument with nothing an outer cmd.exe or PowerShell would expand.
    const inner = /^powershell [^"]*-Command "([^"]*)"$/.exec(command)?.[1];
    expect(inner).toBeDefined();
    expect(inner).not.toMatch(/[$`%^&|<>"]/);
    // Balanced parentheses and quotes, so PowerShell parses it as one expression.
    expect((inner!.match(/\(/g) ?? []).length).toBe((inner!.match(/\)/g) ?? []).length);
    expect((inner!.match(/'/g) ?? []).length % 2).toBe(0);
  });

  it('fits the Windows Run box (259 characters) even with the longest allowed base name', () => {
    expect(quickRunCommand('a'.repeat(48), 'windows').length).toBeLessThanOrEqual(259);
  });
});

describe('persistent install commands', () => {
  const token = 'mQ3v9kR2xT7pL0aZ4cY8bN1sW6eU5dHf-_0123456789';
  const url = 'https://portal.example.com/api/installers/script';

  it('carry the token in an Authorization header, never in the URL', () => {
    for (const os of INSTALLER_OSES) {
      const command = persistentInstallCommand(os, url, token);
      expect(command).toContain(`Bearer ${token}`);
      expect(command).toContain(`'${url}'`);
      expect(command).not.toContain(`${url}?`);
      expect(command).not.toContain('\n');
      expect(command).not.toMatch(/ -k\b|--insecure/);
    }
  });

  it('download to a private temp file on macOS/Linux and run it with sudo bash', () => {
    expect(persistentInstallCommand('linux', url, token)).toBe(
      `(f=$(mktemp) && curl -fsSL -H 'Authorization: Bearer ${token}' '${url}' -o "$f" && sudo bash "$f"; s=$?; rm -f "$f"; exit $s)`,
    );
  });

  it.each([
    [0, 'exit 0'],
    [3, 'echo "install refused" >&2; exit 3'],
  ])(
    'on macOS/Linux exits with the installer status (%s), removes the downloaded file and leaves the calling shell open',
    (status, script) => {
      const scratch = mkdtempSync(join(tmpdir(), 'qs-cmd-'));
      try {
        const bin = join(scratch, 'bin');
        const tmp = join(scratch, 'tmp');
        mkdirSync(bin);
        mkdirSync(tmp);
        writeFileSync(join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n');
        chmodSync(join(bin, 'sudo'), 0o755);
        writeFileSync(join(scratch, 'install.sh'), `${script}\n`);
        const command = persistentInstallCommand('linux', `file://${scratch}/install.sh`, token);
        const run = spawnSync('bash', ['-c', `${command}\necho "shell still open, status $?"`], {
          env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, TMPDIR: tmp },
          encoding: 'utf8',
        });
        expect(run.stdout).toBe(`shell still open, status ${status}\n`);
        expect(readdirSync(tmp)).toEqual([]);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
});
