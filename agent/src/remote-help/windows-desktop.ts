import type { DesktopSession, QuickAssistProbe } from './windows-probe';

export interface TargetDesktop extends DesktopSession {
  via: 'direct' | 'task';
}

/**
 * The desktop to open Quick Assist on, or null when nobody is logged in:
 * 1. the agent's own session when it is a desktop (quick-support: the customer started the agent);
 * 2. else the console user's desktop (the person at the PC), reached through a scheduled task;
 * 3. else the only desktop there is (e.g. a machine used through Remote Desktop alone).
 * Never session 0, whose desktop nobody sees.
 */
export function pickDesktop(probe: QuickAssistProbe): TargetDesktop | null {
  const own =
    probe.agentSessionId > 0 ? probe.desktops.find((d) => d.sessionId === probe.agentSessionId) : undefined;
  if (own) return { ...own, via: 'direct' };
  const consoleUser = probe.consoleUser?.toLowerCase();
  const console = consoleUser ? probe.desktops.find((d) => d.user?.toLowerCase() === consoleUser) : undefined;
  const sessions = new Set(probe.desktops.map((d) => d.sessionId));
  const chosen = console ?? (sessions.size === 1 ? probe.desktops[0] : undefined);
  // A task runs as a named user: without one there is no way onto that desktop.
  return chosen?.user ? { ...chosen, via: 'task' } : null;
}
