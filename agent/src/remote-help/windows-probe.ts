/**
 * Reading Windows' answers: the probe's JSON (windows-powershell.ts) and tasklist's CSV, checked field
 * by field; whatever cannot be trusted is dropped.
 */
export interface DesktopSession {
  sessionId: number;
  /** `DOMAIN\user` owning the session's explorer.exe, null when unknown. */
  user: string | null;
}

export interface RunningProcess {
  pid: number;
  sessionId: number;
}

export interface QuickAssistProbe {
  agentSessionId: number;
  consoleUser: string | null;
  desktops: DesktopSession[];
  packageVersion: string | null;
  legacyVersion: string | null;
}

const SESSION_ID = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < 65536;
const PROCESS_ID = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= 4294967295;
const USER_NAME =
  /^[^\u0000-\u001f\u007f"/[\]:|<>+=;,?*@]{1,104}\\[^\u0000-\u001f\u007f"/[\]:|<>+=;,?*@\\]{1,104}$/;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** PowerShell 5.1 sometimes writes a one-item list as the item, or wraps a list as `{value: [...]}`. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const wrapped = record(value);
  if (wrapped && Array.isArray(wrapped.value)) return wrapped.value;
  return wrapped ? [wrapped] : [];
}

function userName(value: unknown): string | null {
  return typeof value === 'string' && USER_NAME.test(value) ? value : null;
}

/** `2.0.35.0`, or the leading numbers of `10.0.19041.1 (WinBuild.160101.0800)`; null otherwise. */
export function cleanVersion(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d{1,6}(?:\.\d{1,6}){0,3})/.exec(value);
  return match ? match[1] : null;
}

/** The probe's JSON, checked field by field; null when it is not that shape (the probe failed). */
export function parseProbe(stdout: string): QuickAssistProbe | null {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.trim());
  } catch {
    return null;
  }
  const r = record(raw);
  if (!r || !SESSION_ID(r.agentSessionId)) return null;
  return {
    agentSessionId: r.agentSessionId,
    consoleUser: userName(r.consoleUser),
    desktops: listOf(r.desktops).flatMap((d) => {
      const o = record(d);
      return o && SESSION_ID(o.sessionId) && o.sessionId > 0
        ? [{ sessionId: o.sessionId, user: userName(o.user) }]
        : [];
    }),
    packageVersion: cleanVersion(r.packageVersion),
    legacyVersion: cleanVersion(r.legacyVersion),
  };
}

/** `tasklist /FO CSV /NH` lines → the processes with that image name (its "no tasks" notice is not CSV). */
export function parseTasklist(stdout: string, imageName: string): RunningProcess[] {
  const wanted = imageName.toLowerCase();
  const found: RunningProcess[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^"([^"]+)","(\d{1,10})","[^"]*","(\d{1,5})",/.exec(line.trim());
    if (!m || m[1].toLowerCase() !== wanted) continue;
    const pid = Number(m[2]);
    const sessionId = Number(m[3]);
    if (PROCESS_ID(pid) && SESSION_ID(sessionId)) found.push({ pid, sessionId });
  }
  return found;
}
