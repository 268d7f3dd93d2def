/** What Quick Assist is on Windows: its Store package, its in-box program, and the service it needs. */
export const QUICK_ASSIST = Object.freeze({
  /** The Microsoft Store package (Windows 10 21H2+ and 11). */
  packageName: 'MicrosoftCorporationII.QuickAssist',
  /** Opened through the shell, so it starts with its package identity. */
  appUserModelId: 'MicrosoftCorporationII.QuickAssist_8wekyb3d8bbwe!App',
  /** The older in-box program, used only when the Store package is absent. */
  legacyRelativePath: 'System32\\quickassist.exe',
  /** Quick Assist's Microsoft service; reaching it is what `internet_ok` means. */
  serviceHost: 'remoteassistance.support.services.microsoft.com',
  servicePort: 443,
});
