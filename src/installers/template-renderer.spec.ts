import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  INSTALLER_OSES,
  InstallerOs,
  InstallerValues,
  PLACEHOLDERS,
  TEMPLATE_FILES,
} from '../../contracts/installer-template';
import { PROJECT_ROOT } from '../version';
import { InstallerRenderError, renderInstallerTemplate, scriptBrandName } from './template-renderer';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'installers');
const GOLDEN = join(FIXTURES, 'golden');
const REAL_TEMPLATES = join(PROJECT_ROOT, 'agent', 'templates');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const bundle = readFileSync(join(FIXTURES, 'agent.js'));
/** Fixed inputs, so a rendered script changes only when its template does. */
const VALUES: InstallerValues = {
  portalUrl: 'https://portal.example.com',
  installerToken: 'mQ3v9kR2xT7pL0aZ4cY8bN1sW6eU5dHf-_0123456789',
  brandName: 'KW Group',
  mode: 'quick',
  agentBundleB64: bundle.toString('base64'),
  agentSha256: createHash('sha256').update(bundle).digest('hex'),
  nodeMirrorUrl: 'https://mirror.example.com/node',
};

/**
 * Compares with test/fixtures/installers/golden/<name>. After a deliberate template change, review
 * the diff and refresh with: UPDATE_GOLDEN=1 npm run test:unit -- src/installers
 */
function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE || !existsSync(file)) writeFileSync(file, actual);
  const expected = readFileSync(file, 'utf8');
  if (actual !== expected) {
    throw new Error(
      `${name} differs from its golden file; if the template change is intended: UPDATE_GOLDEN=1 npm run test:unit -- src/installers`,
    );
  }
}

function syntaxCheck(os: InstallerOs, script: string): void {
  if (os === 'windows') return; // no PowerShell on this machine; the golden file pins the output instead
  const dir = mkdtempSync(join(tmpdir(), 'qs-render-'));
  try {
    const file = join(dir, 'script');
    writeFileSync(file, script);
    execFileSync('bash', ['-n', file]);
    if (os === 'linux' && script.startsWith('#!/bin/sh')) execFileSync('sh', ['-n', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('renderInstallerTemplate', () => {
  describe.each(INSTALLER_OSES)('fixture template for %s', (os) => {
    const template = readFileSync(join(FIXTURES, 'templates', TEMPLATE_FILES[os]), 'utf8');

    it('matches its golden file and parses', () => {
      const out = renderInstallerTemplate(template, VALUES);
      golden(`fixture-${TEMPLATE_FILES[os]}`, out);
      expect(out).not.toContain('@@QS_');
      expect(out).toContain(VALUES.installerToken);
      syntaxCheck(os, out);
    });
  });

  const realOses = INSTALLER_OSES.filter((os) => existsSync(join(REAL_TEMPLATES, TEMPLATE_FILES[os])));
  (realOses.length ? describe.each(realOses) : describe.skip.each(['none']))(
    'the agent’s real template for %s',
    (os) => {
      it('renders completely, matches its golden file and parses', () => {
        const template = readFileSync(join(REAL_TEMPLATES, TEMPLATE_FILES[os as InstallerOs]), 'utf8');
        for (const mode of ['quick', 'persistent'] as const) {
          const out = renderInstallerTemplate(template, { ...VALUES, mode });
          golden(`real-${mode}-${TEMPLATE_FILES[os as InstallerOs]}`, out);
          expect(out).not.toContain('@@QS_');
          syntaxCheck(os as InstallerOs, out);
        }
      });
    },
  );

  const template = readFileSync(join(FIXTURES, 'templates', 'linux.sh'), 'utf8');
  const MALICIOUS = [
    "'",
    '"',
    '`id`',
    '$(id)',
    '${IFS}',
    '\u2018',
    '\u2019',
    '\u201a',
    '\u201b',
    '\u201c',
    '\u201d',
    'a\rb',
    'a\nb',
    'a\u0000b',
    'a;b',
    'a&b',
    'a|b',
    'a\\b',
    '%COMSPEC%',
    '<x>',
    '\u2028',
    'ｋw',
  ];

  it.each(Object.keys(PLACEHOLDERS) as (keyof InstallerValues)[])(
    'refuses every dangerous character in %s',
    (key) => {
      for (const bad of MALICIOUS) {
        const valid = VALUES[key];
        for (const value of [bad, `${valid}${bad}`, `${bad}${valid}`]) {
          expect(() => renderInstallerTemplate(template, { ...VALUES, [key]: value })).toThrow(
            InstallerRenderError,
          );
        }
      }
    },
  );

  it('refuses values outside their allow-lists even without dangerous characters', () => {
    const bad: Partial<InstallerValues>[] = [
      { portalUrl: 'ftp://portal.example.com' },
      { portalUrl: 'https://portal.example.com/path' },
      { portalUrl: 'https://user@portal.example.com' },
      { installerToken: 'short' },
      { installerToken: 'x'.repeat(129) },
      { mode: 'quickly' as InstallerValues['mode'] },
      { agentSha256: 'A'.repeat(64) },
      { agentBundleB64: '' },
      { brandName: '' },
      { brandName: '@@QS_MODE@@' },
      { nodeMirrorUrl: 'https://mirror.example.com/node?x=1' },
    ];
    for (const b of bad)
      expect(() => renderInstallerTemplate(template, { ...VALUES, ...b })).toThrow(InstallerRenderError);
  });

  it('refuses templates with unknown, malformed or missing placeholders', () => {
    expect(() => renderInstallerTemplate(`${template}\necho '@@QS_SOMETHING_ELSE@@'\n`, VALUES)).toThrow(
      /unknown placeholder/,
    );
    expect(() => renderInstallerTemplate(`${template}\necho '@@QS_MODE@'\n`, VALUES)).toThrow(/left over/);
    expect(() => renderInstallerTemplate(template.replace(PLACEHOLDERS.installerToken, 'x'), VALUES)).toThrow(
      /lacks/,
    );
  });

  it('inserts values literally (no $& or $1 expansion in the replacement)', () => {
    const out = renderInstallerTemplate(`${template}# @@QS_BRAND_NAME@@\n`, {
      ...VALUES,
      brandName: 'A (B) C-D, E.',
    });
    expect(out).toContain('# A (B) C-D, E.');
  });
});

describe('scriptBrandName', () => {
  it('folds the configured brand into the characters scripts allow', () => {
    expect(scriptBrandName('KW Group')).toBe('KW Group');
    expect(scriptBrandName('Acme & Söhne')).toBe('Acme and Sohne');
    expect(scriptBrandName("O'Neil (IT)")).toBe('ONeil (IT)');
    expect(scriptBrandName('日本')).toBe('Remote support');
    expect(scriptBrandName('x'.repeat(80))).toHaveLength(60);
  });
});
