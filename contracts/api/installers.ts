/**
 * Persistent-agent install commands, as `/api/installers` (admins only) speaks them. The OS list is
 * the install-script contract's (contracts/installer-template.ts).
 */
import type { InstallerOs } from '../installer-template';

export { INSTALLER_OSES, type InstallerOs } from '../installer-template';

/** `POST /api/installers`. */
export interface CreateInstallerRequest {
  os: InstallerOs;
}

/** A command bound to a fresh one-shot installer token (`InstallerCommandDto`). */
export interface InstallerCommandView {
  os: InstallerOs;
  mode: 'persistent';
  /** One line to paste on the device, elevated. It holds a one-shot token: show it to admins only. */
  command: string;
  /** Where to paste it, in words. */
  steps: string;
  /** The command fetches its script from here, with the token in an Authorization header. */
  scriptUrl: string;
  expiresAt: string;
}
