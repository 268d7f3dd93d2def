import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecOptions, ExecResult, ProcessHost } from '../remote-help/process-host';
import { powershellArgs } from '../remote-help/windows-powershell';
import { silentLogger } from '../test-support/socket-pair';
import type { ConsentQuestion } from './consent-types';
import {
  appleScriptString,
  MacDialogPrompter,
  macDialogCommand,
  macDialogScript,
  readMacAnswer,
} from './macos-dialog';
import {
  powershellString,
  readWindowsAnswer,
  windowsDialogScript,
  WindowsDialogPrompter,
} from './windows-dialog';
import { readZenityAnswer, zenityQuestionArgs } from './zenity-prompter';
import { setConsoleLanguage } from '../i18n/console-text';

/**
 * The desktop dialogs as text: the exact AppleScript and PowerShell (golden files in ./golden, with a
 * hostile technician and organisation), the zenity arguments, and how each one's output is read. The
 * macOS and Windows dialogs cannot run on Linux; zenity runs for real in zenity-prompter.system-spec.ts.
 * After a deliberate change, review the diff and refresh with: UPDATE_GOLDEN=1 npm run test:unit -- agent/src/consent
 */
const GOLDEN = join(__dirname, 'golden');

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  if (!existsSync(file))
    throw new Error(`agent/src/consent/golden/${name} is missing: run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** A technician who tries to break out of every quoting there is. */
const HOSTILE: ConsentQuestion = {
  promptId: 'p1',
  sessionId: 's1',
  channel: 'screen',
  technician: `Eve" & (do shell script "rm -rf ~") & "\\'; Remove-Item C:\\ -Recurse; '\u2019$(whoami)`,
  organisation: 'Acme <b>&amp;</b> `$env:USERNAME`\r\n{0}',
  reason: 'Your PC has a virus!!\u001b[31m',
  timeoutMs: 30_000,
  signal: new AbortController().signal,
};

const result = (stdout: string, exitCode: number | null = 0, stderr = ''): ExecResult => ({
  exitCode,
  stdout,
  stderr,
});

describe('quoting for AppleScript and PowerShell', () => {
  it('AppleScript strings escape backslash and double quote', () => {
    expect(appleScriptString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it("PowerShell single-quoted strings double ' and the typographic single quotes", () => {
    expect(powershellString("it's \u2018x\u2019 \u201a\u201b $(no) `n")).toBe(
      "'it''s \u2018\u2018x\u2019\u2019 \u201a\u201a\u201b\u201b $(no) `n'",
    );
  });
});

describe('macOS dialog (osascript)', () => {
  it('golden: the script for the screen, hostile names escaped', () => {
    golden('macos-screen.applescript.golden', `${macDialogScript(HOSTILE)}\n`);
  });

  it('golden: the script for a terminal (Allow for this session instead of View only)', () => {
    golden(
      'macos-shell.applescript.golden',
      `${macDialogScript({ ...HOSTILE, channel: 'shell', reason: undefined })}\n`,
    );
  });

  it('runs osascript directly, or in the console user session through launchctl asuser when root', () => {
    expect(macDialogCommand('S')).toEqual({ file: '/usr/bin/osascript', args: ['-e', 'S'] });
    expect(macDialogCommand('S', 501)).toEqual({
      file: '/bin/launchctl',
      args: ['asuser', '501', '/usr/bin/sudo', '-n', '-u', '#501', '/usr/bin/osascript', '-e', 'S'],
    });
  });

  it('reads the button, a give-up, and anything else as unavailable', () => {
    expect(readMacAnswer(HOSTILE, result('button returned:View only, gave up:false\n'))).toBe('view_only');
    expect(readMacAnswer(HOSTILE, result('button returned:Allow once, gave up:false'))).toBe('allow');
    expect(readMacAnswer(HOSTILE, result('button returned:Deny, gave up:false'))).toBe('deny');
    expect(readMacAnswer(HOSTILE, result('button returned:, gave up:true'))).toBe('timeout');
    expect(readMacAnswer(HOSTILE, result('button returned:Allow for this session, gave up:false'))).toBe(
      'unavailable',
    );
    expect(readMacAnswer(HOSTILE, result('', 1, 'execution error'))).toBe('unavailable');
  });

  it('as root asks the console owner, and is unavailable when nobody is logged in', async () => {
    const calls: Array<{ file: string; args: readonly string[]; options?: ExecOptions }> = [];
    let consoleOwner = '501\n';
    const host: ProcessHost = {
      exec: (file, args, options) => {
        calls.push({ file, args, options });
        return Promise.resolve(
          file === '/usr/bin/stat' ? result(consoleOwner) : result('button returned:Deny, gave up:false'),
        );
      },
      spawnDetached: () => Promise.reject(new Error('unused')),
      canReach: () => Promise.resolve(false),
      delay: () => Promise.resolve(),
    };
    const prompter = new MacDialogPrompter({ host, logger: silentLogger, isRoot: true });
    await expect(prompter.ask(HOSTILE)).resolves.toBe('deny');
    expect(calls[1].file).toBe('/bin/launchctl');
    expect(calls[1].args.slice(0, 2)).toEqual(['asuser', '501']);
    expect(calls[1].options?.signal).toBeDefined();
    consoleOwner = '0\n';
    await expect(prompter.ask(HOSTILE)).resolves.toBe('unavailable');
  });
});

describe('Windows dialog (PowerShell WinForms)', () => {
  it('golden: the script for the screen, hostile names escaped', () => {
    golden('windows-screen.ps1.golden', `${windowsDialogScript(HOSTILE)}\n`);
  });

  it('golden: the script for commands', () => {
    golden('windows-commands.ps1.golden', `${windowsDialogScript({ ...HOSTILE, channel: 'commands' })}\n`);
  });

  it('reads the printed answer; an answer the question did not offer is unavailable', () => {
    expect(readWindowsAnswer(HOSTILE, result('view_only'))).toBe('view_only');
    expect(readWindowsAnswer(HOSTILE, result('timeout\r\n'))).toBe('timeout');
    expect(readWindowsAnswer({ ...HOSTILE, channel: 'shell' }, result('view_only'))).toBe('unavailable');
    expect(readWindowsAnswer(HOSTILE, result('allow', 1))).toBe('unavailable');
  });

  it("runs through the injected host with Quick Assist's PowerShell arguments; a service is unavailable", async () => {
    const calls: Array<{ file: string; args: readonly string[] }> = [];
    const host: ProcessHost = {
      exec: (file, args) => {
        calls.push({ file, args });
        return Promise.resolve(result('allow_session'));
      },
      spawnDetached: () => Promise.reject(new Error('unused')),
      canReach: () => Promise.resolve(false),
      delay: () => Promise.resolve(),
    };
    const question = { ...HOSTILE, channel: 'shell' as const };
    const prompter = new WindowsDialogPrompter({
      host,
      logger: silentLogger,
      systemRoot: 'C:\\Windows',
      interactive: true,
    });
    await expect(prompter.ask(question)).resolves.toBe('allow_session');
    expect(calls).toEqual([
      {
        file: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        args: powershellArgs(windowsDialogScript(question)),
      },
    ]);
    const service = new WindowsDialogPrompter({
      host,
      logger: silentLogger,
      systemRoot: 'C:\\Windows',
      interactive: false,
    });
    await expect(service.ask(question)).resolves.toBe('unavailable');
  });
});

describe('zenity question', () => {
  it('arguments: plain text (no markup, backslashes doubled), Deny is the default, View only for the screen', () => {
    expect(zenityQuestionArgs(HOSTILE)).toEqual([
      '--question',
      '--title=Acme <b>&amp;</b> `$env:USERNAME` {0}: remote support request',
      '--no-markup',
      '--width=460',
      '--icon-name=dialog-warning',
      `--text=Eve" & (do shell script "rm -rf ~") & "\\\\'; Remove-Item C:\\\\ -Recurse; '\u2019$(whoami) from Acme <b>&amp;</b> \`$env:USERNAME\` {0} wants to see your screen and use your mouse and keyboard. Reason they gave: "Your PC has a virus!! [31m".\n\nDeny if you did not ask for this help yourself.`,
      '--ok-label=_Allow once',
      '--cancel-label=_Deny',
      '--extra-button=Allow for this _session',
      '--extra-button=_View only',
      '--default-cancel',
      '--timeout=31',
    ]);
    expect(zenityQuestionArgs({ ...HOSTILE, channel: 'commands' })).not.toContain(
      '--extra-button=_View only',
    );
  });

  it('reads exit codes and extra-button labels; no display is unavailable, not a deny', () => {
    const exit = (code: number | null, stdout = '', stderr = '') =>
      readZenityAnswer(HOSTILE, { code, stdout, stderr });
    expect(exit(0)).toBe('allow');
    expect(exit(1)).toBe('deny');
    expect(exit(1, '_View only\n')).toBe('view_only');
    expect(exit(1, 'Allow for this _session\n')).toBe('allow_session');
    expect(exit(5)).toBe('timeout');
    expect(exit(1, '', '(zenity:1): Gtk-WARNING **: cannot open display: :9')).toBe('unavailable');
    expect(exit(1, 'Something else')).toBe('unavailable');
    expect(exit(255)).toBe('unavailable');
    expect(exit(null)).toBe('unavailable');
    expect(
      readZenityAnswer({ ...HOSTILE, channel: 'shell' }, { code: 1, stdout: '_View only', stderr: '' }),
    ).toBe('unavailable');
  });
});

describe('dialogs in the customer’s language', () => {
  afterEach(() => setConsoleLanguage('en'));

  it('French: the question, title and buttons, and the translated button read back', () => {
    setConsoleLanguage('fr');
    const question = { ...HOSTILE, technician: 'Alex', organisation: 'Acme', reason: undefined };
    const args = zenityQuestionArgs(question);
    expect(args).toContain('--title=Acme : demande d’assistance à distance');
    expect(args).toContain(
      '--text=Alex de Acme souhaite voir votre écran et utiliser votre souris et votre clavier.\n\nChoisissez « Refuser » si ce n’est pas vous qui avez demandé cette aide.',
    );
    expect(args).toContain('--extra-button=A_ffichage seul');
    expect(readZenityAnswer(question, { code: 1, stdout: 'A_ffichage seul\n', stderr: '' })).toBe(
      'view_only',
    );
    expect(readZenityAnswer(question, { code: 1, stdout: '_View only\n', stderr: '' })).toBe('unavailable');
    const mac = macDialogScript(question);
    expect(mac).toContain('default button "Refuser"');
    expect(
      readMacAnswer(question, {
        exitCode: 0,
        stdout: 'button returned:Autoriser une fois, gave up:false',
        stderr: '',
      }),
    ).toBe('allow');
    expect(windowsDialogScript(question)).toContain("New-AnswerButton '&Autoriser une fois' 'allow'");
  });
});
