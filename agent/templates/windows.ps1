# Remote support agent installer for Windows (a PowerShell script, served with an .exe name).
# Start it with the command shown on the connect page (Win+R, paste, Ctrl+Shift+Enter): it is read as
# text and evaluated, so it uses no param() block and no $PSScriptRoot.
# It unpacks the support agent into a fresh folder under ProgramData that only SYSTEM and Administrators
# can write (never the user's %TEMP%, where an unelevated program could swap it before it runs elevated),
# checks it against the SHA-256 below, and runs it with this computer's Node.js (18 or newer) or a
# Node.js runtime it downloads and checks.
# Quick support: the agent runs until the session ends or you press Ctrl-C, then removes every file.
# Persistent: the agent is installed as a scheduled task running as SYSTEM at startup.

$ErrorActionPreference = 'Stop'
$QsPortalUrl = '@@QS_PORTAL_URL@@'
$QsInstallerToken = '@@QS_INSTALLER_TOKEN@@'
$QsBrandName = '@@QS_BRAND_NAME@@'
$QsMode = '@@QS_MODE@@'
$QsLanguage = '@@QS_LANGUAGE@@'
$QsAgentSha256 = '@@QS_AGENT_SHA256@@'
$QsNodeMirrorUrl = '@@QS_NODE_MIRROR_URL@@'
$QsNodeDistUrl = 'https://nodejs.org/dist'
$QsNodeLine = 'latest-v24.x'

function Write-QsSay([string] $Message) { Write-Host "[$QsBrandName] $Message" }

function Stop-QsInstall([string] $Message) {
    Write-Host "[$QsBrandName] $Message" -ForegroundColor Red
    exit 1
}

function Test-QsElevated {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Get-QsNode([string] $WorkDir) {
    $base = $QsNodeMirrorUrl
    if ([string]::IsNullOrEmpty($base)) { $base = $QsNodeDistUrl }
    $base = $base.TrimEnd('/') + '/' + $QsNodeLine
    switch ($env:PROCESSOR_ARCHITECTURE) {
        'AMD64' { $arch = 'x64' }
        'ARM64' { $arch = 'arm64' }
        default { Stop-QsInstall 'The support agent needs Node.js, which is not available for this processor; nothing was installed.' }
    }
    # Always a private, checksummed runtime in the locked work folder: this script runs elevated, and a
    # node.exe found on PATH may sit in (and be swapped from) a folder an ordinary user can write.
    Write-QsSay 'Downloading a private Node.js runtime for the support agent...'
    [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
    try {
        $sums = (Invoke-WebRequest -UseBasicParsing -Uri "$base/SHASUMS256.txt").Content
    } catch {
        Stop-QsInstall 'The Node.js runtime list could not be downloaded: check the internet connection, then run this again.'
    }
    if ($sums -is [byte[]]) { $sums = [Text.Encoding]::ASCII.GetString($sums) }
    $pattern = '(?m)^([0-9a-f]{64})  (node-v[0-9]+\.[0-9]+\.[0-9]+-win-' + $arch + '\.zip)\r?$'
    $match = [regex]::Match($sums, $pattern)
    if (-not $match.Success) { Stop-QsInstall 'The Node.js download list has no runtime for this computer; nothing was installed.' }
    $file = $match.Groups[2].Value
    $zip = Join-Path $WorkDir $file
    $ProgressPreference = 'Continue'
    try {
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$file" -OutFile $zip
    } catch {
        Stop-QsInstall 'The Node.js runtime could not be downloaded: check the internet connection, then run this again.'
    }
    if ((Get-FileHash -Algorithm SHA256 -LiteralPath $zip).Hash.ToLowerInvariant() -ne $match.Groups[1].Value) {
        Stop-QsInstall 'The downloaded Node.js runtime failed its checksum and was not used.'
    }
    $nodeRoot = Join-Path $WorkDir 'node'
    Expand-Archive -LiteralPath $zip -DestinationPath $nodeRoot
    Remove-Item -LiteralPath $zip -Force
    $exe = Get-ChildItem -LiteralPath $nodeRoot -Recurse -Filter node.exe | Select-Object -First 1
    if ($null -eq $exe) { Stop-QsInstall 'The downloaded Node.js runtime is incomplete; download the installer again.' }
    return $exe.FullName
}

function Expand-QsAgent([string] $WorkDir) {
    $agent = Join-Path $WorkDir 'agent.js'
    [IO.File]::WriteAllBytes($agent, [Convert]::FromBase64String((Get-QsAgentBundle)))
    if ((Get-FileHash -Algorithm SHA256 -LiteralPath $agent).Hash.ToLowerInvariant() -ne $QsAgentSha256) {
        Stop-QsInstall 'The support agent failed its integrity check; download the installer again.'
    }
    return $agent
}

function New-QsWorkDir {
    $root = [Environment]::GetFolderPath('CommonApplicationData')
    if ([string]::IsNullOrEmpty($root)) { $root = $env:ProgramData }
    $workDir = Join-Path $root ('qs-agent.' + [Guid]::NewGuid().ToString('N').Substring(0, 12))
    # Created fresh (New-Item fails if the name exists), then owned by Administrators and writable by
    # SYSTEM and Administrators only, with nothing inherited from ProgramData (where users may write).
    New-Item -ItemType Directory -Path $workDir | Out-Null
    & icacls.exe $workDir /setowner '*S-1-5-32-544' /Q | Out-Null
    $owned = $LASTEXITCODE -eq 0
    & icacls.exe $workDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' /Q | Out-Null
    $locked = $LASTEXITCODE -eq 0
    # Anything that appeared before the folder was locked was not put there by this script.
    if (-not ($owned -and $locked) -or @(Get-ChildItem -LiteralPath $workDir -Force).Count -ne 0) {
        Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction SilentlyContinue
        Stop-QsInstall 'A private folder for the support agent could not be set up under ProgramData; nothing was installed.'
    }
    return $workDir
}

function Invoke-QsMain {
    if (-not (Test-QsElevated)) {
        Stop-QsInstall 'This installer needs administrator rights: press Win+R, paste the command again and press Ctrl+Shift+Enter.'
    }
    $workDir = New-QsWorkDir
    try {
        $agent = Expand-QsAgent $workDir
        $node = Get-QsNode $workDir
        $env:QS_INSTALLER_TOKEN = $QsInstallerToken
        if ($QsMode -eq 'persistent') {
            Write-QsSay 'Installing the support agent as a service...'
            & $node $agent install --portal $QsPortalUrl --brand $QsBrandName --lang $QsLanguage --work-dir $workDir
        } else {
            Write-QsSay 'Starting the support agent. Keep this window open; press Ctrl-C to end the session.'
            & $node $agent run --mode quick --portal $QsPortalUrl --brand $QsBrandName --lang $QsLanguage --work-dir $workDir
        }
        $code = $LASTEXITCODE
    } finally {
        Remove-Item Env:\QS_INSTALLER_TOKEN -ErrorAction SilentlyContinue
        if (Test-Path -LiteralPath $workDir) { Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction SilentlyContinue }
    }
    exit $code
}

# The agent bundle (base64). Kept last so that a partly downloaded file never runs: Invoke-QsMain is called below.
function Get-QsAgentBundle {
    return '@@QS_AGENT_BUNDLE_B64@@'
}

Invoke-QsMain
