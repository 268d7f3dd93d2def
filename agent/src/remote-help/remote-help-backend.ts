import type { AllowedApp, AllowedPackage } from './launch-allow-list';

/** What `remotehelp_status` reports (field names as in the protocol). */
export interface RemoteHelpReadiness {
  installed: boolean;
  version: string | null;
  internet_ok: boolean;
  interactive_session: boolean;
}

export interface StartOutcome {
  launched: boolean;
  pid: number | null;
}

/** Refusals and failures a backend answers with; the handler turns them into protocol `error`s. */
export type RemoteHelpErrorCode = 'unsupported' | 'no_interactive_session' | 'not_found' | 'internal';

export class RemoteHelpError extends Error {
  constructor(
    readonly code: RemoteHelpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteHelpError';
  }
}

/**
 * The per-OS part of remote help. It receives only allow-listed entries (the handler checked them and
 * passed the gate) and decides nothing about what may run.
 */
export interface RemoteHelpBackend {
  status(): Promise<RemoteHelpReadiness>;
  start(app: AllowedApp): Promise<StartOutcome>;
  /** True when a running instance was ended, false when none was running. */
  stop(app: AllowedApp): Promise<boolean>;
  /** Starts the installer; resolves with its pid when known. */
  install(pkg: AllowedPackage): Promise<number | null>;
}

/** Everything "not available": what a device that is not Windows reports. */
export const NOT_AVAILABLE: RemoteHelpReadiness = Object.freeze({
  installed: false,
  version: null,
  internet_ok: false,
  interactive_session: false,
});
