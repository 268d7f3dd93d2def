import type { AgentLogger } from '../core/logger';
import { safe } from '../core/logger';
import type { ExecResult, ProcessHost } from '../remote-help/process-host';
import { powershellArgs } from '../remote-help/windows-powershell';
import { answerButton, denyHint, offeredAnswers, questionSentence, questionTitle } from './consent-text';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

/**
 * The question as a WinForms dialog on Windows, from PowerShell, through the same injected
 * {@link ProcessHost} and `-EncodedCommand` arguments as Quick Assist (remote-help/windows-*.ts). Built
 * here and golden-tested; it cannot run on the Linux machine the tests run on (docs/consent.md).
 *
 * The dialog is always on top, Deny is its Escape button, its close box and the button with the focus
 * (Enter never allows), and a timer closes it as `timeout`. It prints the answer's code on stdout.
 */

/**
 * A PowerShell single-quoted string: `'` is doubled, and so are the typographic quotes PowerShell also
 * reads as single quotes (U+2018, U+2019, U+201A, U+201B). Nothing else is special inside '…'.
 */
export function powershellString(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** Button captions: `&` marks the Alt+letter (a literal `&` doubled). */
function windowsLabel(answer: Exclude<ConsentAnswer, 'timeout'>): string {
  return answerButton(answer).replace(/&/g, '&&').replace('_', '&');
}

export function windowsDialogScript(question: ConsentQuestion): string {
  const body = `${questionSentence(question)}\n\n${denyHint()}`;
  const answers = offeredAnswers(question.channel).filter(
    (a): a is Exclude<ConsentAnswer, 'timeout'> => a !== 'timeout',
  );
  const buttons = answers
    .map((a) => `$buttons.Controls.Add((New-AnswerButton ${powershellString(windowsLabel(a))} '${a}'))`)
    .join('\n');
  const ms = Math.max(1000, Math.round(question.timeoutMs));
  return `$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Windows.Forms
Add-Type -AssemblyName System.Drawing
[System.Windows.Forms.Application]::EnableVisualStyles()
$form = New-Object System.Windows.Forms.Form
$form.Text = ${powershellString(questionTitle(question))}
$form.TopMost = $true
$form.StartPosition = 'CenterScreen'
$form.FormBorderStyle = 'FixedDialog'
$form.MinimizeBox = $false
$form.MaximizeBox = $false
$form.AutoSize = $true
$form.AutoSizeMode = 'GrowAndShrink'
$form.Padding = New-Object System.Windows.Forms.Padding(12)
$form.Tag = 'deny'
$layout = New-Object System.Windows.Forms.FlowLayoutPanel
$layout.FlowDirection = 'TopDown'
$layout.AutoSize = $true
$label = New-Object System.Windows.Forms.Label
$label.UseMnemonic = $false
$label.AutoSize = $true
$label.MaximumSize = New-Object System.Drawing.Size(440, 0)
$label.Text = ${powershellString(body)}
$layout.Controls.Add($label)
$buttons = New-Object System.Windows.Forms.FlowLayoutPanel
$buttons.AutoSize = $true
function New-AnswerButton([string]$text, [string]$answer) {
  $button = New-Object System.Windows.Forms.Button
  $button.Text = $text
  $button.Tag = $answer
  $button.AutoSize = $true
  $button.Add_Click({ param($sender, $e) $owner = $sender.FindForm(); $owner.Tag = $sender.Tag; $owner.Close() })
  return $button
}
${buttons}
$deny = $buttons.Controls[$buttons.Controls.Count - 1]
$form.CancelButton = $deny
$layout.Controls.Add($buttons)
$form.Controls.Add($layout)
$timer = New-Object System.Windows.Forms.Timer
$timer.Interval = ${ms}
$timer.Add_Tick({ $timer.Stop(); $form.Tag = 'timeout'; $form.Close() })
$timer.Start()
$form.Add_Shown({ $form.Activate(); $form.ActiveControl = $deny })
[void]$form.ShowDialog()
$timer.Dispose()
[Console]::Out.Write([string]$form.Tag)`;
}

/** The code the script printed, when it is one this question offered (or `timeout`). */
export function readWindowsAnswer(
  question: ConsentQuestion,
  result: ExecResult,
): ConsentAnswer | 'unavailable' {
  if (result.exitCode !== 0) return 'unavailable';
  const out = result.stdout.trim();
  if (out === 'timeout') return 'timeout';
  return offeredAnswers(question.channel).find((a) => a === out) ?? 'unavailable';
}

export interface WindowsDialogOptions {
  host: ProcessHost;
  logger: AgentLogger;
  systemRoot: string;
  /**
   * Whether the agent runs in the interactive user's session (a quick-support agent the customer
   * started). A service in session 0 has no desktop to show a dialog on: `unavailable`.
   */
  interactive: boolean;
}

export class WindowsDialogPrompter implements ConsentPrompter {
  readonly name = 'dialog';

  constructor(private readonly options: WindowsDialogOptions) {}

  async ask(question: ConsentQuestion): Promise<ConsentAnswer | 'unavailable'> {
    const { host, logger, systemRoot, interactive } = this.options;
    if (!interactive) return 'unavailable';
    if (question.signal.aborted) return 'deny';
    const powershell = `${systemRoot}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
    const result = await host.exec(powershell, powershellArgs(windowsDialogScript(question)), {
      timeoutMs: question.timeoutMs + 10_000,
      signal: question.signal,
    });
    if (question.signal.aborted) return 'deny';
    const answer = readWindowsAnswer(question, result);
    if (answer === 'unavailable') logger.warn(`consent dialog failed: ${safe(result.stderr, 300)}`);
    return answer;
  }
}
