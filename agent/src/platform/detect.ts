import { createLinuxAdapter } from './linux';
import { createMacosAdapter } from './macos';
import type { PlatformAdapter } from './platform';
import { createWindowsAdapter } from './windows';

/** The adapter for the OS the agent runs on. */
export function detectPlatform(platform: NodeJS.Platform = process.platform): PlatformAdapter {
  if (platform === 'win32') return createWindowsAdapter();
  if (platform === 'darwin') return createMacosAdapter();
  return createLinuxAdapter();
}
