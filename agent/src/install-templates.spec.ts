import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  INSTALLER_OSES,
  PLACEHOLDERS,
  TEMPLATE_FILES,
  type InstallerOs,
} from '../../contracts/installer-template';

/**
 * The per-OS install-script templates (agent/templates/) against the contract in
 * contracts/installer-template.ts, as text: every placeholder used only inside single quotes, and the
 * bundle verified before it runs. Their rendering (golden files, hostile values refused, the scripts
 * parsed by bash) is tested beside the portal's renderer, in src/installers/template-renderer.spec.ts.
 */
const TEMPLATES = join(__dirname, '..', 'templates');
const template = (os: InstallerOs): string => readFileSync(join(TEMPLATES, TEMPLATE_FILES[os]), 'utf8');

describe.each(INSTALLER_OSES)('%s install template', (os) => {
  const text = template(os);

  it('uses every placeholder, each only inside single quotes', () => {
    for (const placeholder of Object.values(PLACEHOLDERS)) {
      const all = text.split(placeholder).length - 1;
      const quoted = text.split(`'${placeholder}'`).length - 1;
      expect({ placeholder, all, quoted: quoted === all }).toEqual({
        placeholder,
        all: expect.any(Number),
        quoted: true,
      });
      expect(all).toBeGreaterThan(0);
    }
    const known = new Set<string>(Object.values(PLACEHOLDERS));
    expect(text.match(/@@QS_[A-Z0-9_]+@@/g)?.every((p) => known.has(p))).toBe(true);
  });

  it('verifies the bundle against the SHA-256 before running it, and runs it last', () => {
    const verify = text.indexOf(
      os === 'windows'
        ? 'Get-FileHash -Algorithm SHA256 -LiteralPath $agent'
        : '[ "$actual" = "$AGENT_SHA256" ]',
    );
    const run = text.indexOf(
      os === 'windows' ? '& $node $agent run' : '"$NODE_BIN" "$WORK_DIR/agent.js" run',
    );
    expect(verify).toBeGreaterThan(0);
    expect(run).toBeGreaterThan(0);
    const main = os === 'windows' ? 'Invoke-QsMain' : 'main "$@"';
    expect(text.trimEnd().endsWith(main)).toBe(true);
  });
});
