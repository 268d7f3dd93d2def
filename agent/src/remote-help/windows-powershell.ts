import { QUICK_ASSIST } from './windows-quick-assist';

/**
 * PowerShell scripts. Constant text: values reach them only through environment variables (data, not
 * code), and they are passed base64-encoded (-EncodedCommand), so no quoting is ever involved.
 */

/** The Task Scheduler folder the one-shot launch tasks are registered in. */
const TASK_FOLDER = '\\QuickSupport\\';

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
