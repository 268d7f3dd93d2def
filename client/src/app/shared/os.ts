import { INSTALLER_OSES, type InstallerOs } from '../../../../contracts/api/installers';

/** The desktop operating systems the portal has agents and install scripts for (contracts/installer-template.ts). */
export type OsName = InstallerOs;

export const OS_NAMES: readonly OsName[] = INSTALLER_OSES;

export const OS_LABELS: Readonly<Record<OsName, string>> = {
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
};

/** Icon names from core/app-icons.ts. Generic shapes, not vendor logos. */
export const OS_ICONS: Readonly<Record<OsName, string>> = {
  windows: 'window',
  macos: 'laptop-mac',
  linux: 'terminal',
};
