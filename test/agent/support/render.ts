import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  TEMPLATE_FILES,
  type InstallerOs,
  type InstallerValues,
} from '../../../contracts/installer-template';
import { renderInstallerTemplate } from '../../../src/installers/template-renderer';
import { PROJECT_ROOT } from '../../../src/version';

export const TEMPLATE_DIR = join(PROJECT_ROOT, 'agent', 'templates');

export function templateText(os: InstallerOs): string {
  return readFileSync(join(TEMPLATE_DIR, TEMPLATE_FILES[os]), 'utf8');
}

/** Renders a template with the portal's own renderer (allow-list checks included). */
export function renderTemplate(
  os: InstallerOs,
  bundle: Buffer,
  overrides: Partial<InstallerValues> = {},
): string {
  return renderInstallerTemplate(templateText(os), {
    portalUrl: 'https://portal.example.com',
    installerToken: 'TOKEN_abcdefghijklmnopqrstuvwxyz012345',
    brandName: 'KW Group (IT)',
    mode: 'quick',
    language: 'en',
    agentBundleB64: bundle.toString('base64'),
    agentSha256: createHash('sha256').update(bundle).digest('hex'),
    nodeMirrorUrl: '',
    ...overrides,
  });
}
