import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const REAL_TEMPLATES = join(PROJECT_ROOT, 'agent', 'templates');
/** One golden rendering per OS: the agent's real template filled with VALUES (quick mode). */
const GOLDEN = join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const bundle = readFileSync(join(FIXTURES, 'agent.js'));
/** Fixed inputs, so a rendered script changes only when its template does. */
const VALUES: InstallerValues = {
  portalUrl: 'https://portal.example.com',
  installerToken: 'mQ3v9kR2xT7pL0aZ4cY8bN1sW6eU5dHf-_0123456789',
  brandName: 'KW Group',
  mode: 'quick',
  language: 'de',
  agentBundleB64: bundle.toString('base64'),
  agentSha256: createHash('sha256').update(bundle).digest('hex'),
  nodeMirrorUrl: 'https://mirror.example.com/node',
};

const realTemplate = (os: InstallerOs): string =>
  readFileSync(join(REAL_TEMPLATES, TEMPLATE_FILES[os]), 'utf8');
const fixtureTemplate = (os: InstallerOs): string =>
  readFileSync(join(FIXTURES, 'templates', TEMPLATE_FILES[os]), 'utf8');

/**
 * Compares with src/installers/golden/<file>.golden. After a deliberate template change, review the
 * diff and refresh with: UPDATE_GOLDEN=1 npm run test:unit -- src/installers
 */
function golden(os: InstallerOs, actual: string): void {
  const name = `${TEMPLATE_FILES[os]}.golden`;
  const file = join(GOLDEN, name);
  if (UPDATE || !existsSync(file)) writeFileSync(file, actual);
  const expected = readFileSync(file, 'utf8');
  if (actual === expected) return;
  const got = actual.split('\n');
  const want = expected.split('\n');
  const line = got.findIndex((text, i) => text !== want[i]);
  const at = line === -1 ? want.length : line;
  throw new Error(
    `src/installers/golden/${name} differs from the rendering at line ${at + 1}:\n` +
      `  golden:   ${JSON.stringify(want[at]?.slice(0, 200))}\n` +
      `  rendered: ${JSON.stringify(got[at]?.slice(0, 200))}\n` +
      'If the template change is intended, review the diff and refresh the golden files with: ' +
      'UPDATE_GOLDEN=1 npm run test:unit -- src/installers',
  );
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

/** The lines that differ between two renderings of one template, as [before, after] pairs. */
function changedLines(a: string, b: string): [string, string][] {
  const left = a.split('\n');
  const right = b.split('\n');
  expect(right).toHaveLength(left.length);
  return left.flatMap((line, i): [string, string][] => (line === right[i] ? [] : [[line, right[i]]]));
}

/** The only lines a persistent install script has different from a quick one, per OS. */
const MODE_LINES: Readonly<Record<InstallerOs, [string, string][]>> = {
  linux: [["readonly MODE='quick'", "readonly MODE='persistent'"]],
  macos: [["readonly MODE='quick'", "readonly MODE='persistent'"]],
  windows: [["$QsMode = 'quick'", "$QsMode = 'persistent'"]],
};

/** Characters and fragments that must never reach a script inside a value. */
const MALICIOUS = [
  "'",
  '"',
  '`',
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
  'a<b',
  'a\\b',
  '%COMSPEC%',
  '%TEMP%',
  '$env:TEMP',
  '<x>',
  '\u2028',
  'ｋw',
];

describe('the agent’s install templates', () => {
  describe.each(INSTALLER_OSES)('%s', (os) => {
    const template = realTemplate(os);

    it('matches its golden rendering', () => {
      golden(os, renderInstallerTemplate(template, VALUES));
    });

    it('renders completely and parses in both modes', () => {
      for (const mode of ['quick', 'persistent'] as const) {
        const out = renderInstallerTemplate(template, { ...VALUES, mode });
        expect(out).not.toContain('@@QS_');
        syntaxCheck(os, out);
      }
    });

    it('differs between quick and persistent only in the mode line', () => {
      const quick = renderInstallerTemplate(template, VALUES);
      const persistent = renderInstallerTemplate(template, { ...VALUES, mode: 'persistent' });
      expect(changedLines(quick, persistent)).toEqual(MODE_LINES[os]);
    });

    it('hands the customer’s language to the agent it starts, as a fixed code', () => {
      const script = renderInstallerTemplate(template, VALUES);
      const declared = os === 'windows' ? "$QsLanguage = 'de'" : "readonly LANGUAGE='de'";
      expect(script.split('\n')).toContain(declared);
      const runs = script.split('\n').filter((line) => line.includes('--portal') && line.includes('--brand'));
      expect(runs.length).toBeGreaterThan(0);
      for (const line of runs)
        expect(line).toContain(os === 'windows' ? '--lang $QsLanguage' : '--lang "$LANGUAGE"');
    });

    it.each(Object.keys(PLACEHOLDERS) as (keyof InstallerValues)[])(
      'refuses every dangerous character in %s',
      (key) => {
        for (const bad of MALICIOUS) {
          const valid = VALUES[key];
          const values = [bad, `${valid}${bad}`, `${bad}${valid}`, `https://portal.example.com/${bad}`];
          for (const value of values) {
            expect(() => renderInstallerTemplate(template, { ...VALUES, [key]: value })).toThrow(
              InstallerRenderError,
            );
          }
        }
      },
    );
  });

  const canDropPrivileges =
    process.platform === 'linux' &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    spawnSync('runuser', ['--help']).status === 0;
  (canDropPrivileges ? it : it.skip)(
    'linux: explains in one sentence when not started with sudo, and leaves nothing',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'qs-templates-'));
      try {
        chmodSync(dir, 0o755);
        const file = join(dir, 'linux-user.sh');
        writeFileSync(
          file,
          renderInstallerTemplate(realTemplate('linux'), { ...VALUES, brandName: 'KW Group (IT)' }),
          {
            mode: 0o644,
          },
        );
        const tmp = join(dir, 'tmp');
        mkdirSync(tmp, { mode: 0o777 });
        chmodSync(tmp, 0o777);
        const run = spawnSync('runuser', ['-u', 'nobody', '--', 'bash', file], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, TMPDIR: tmp },
        });
        expect(run.status).toBe(1);
        expect(run.stderr.trim()).toBe(
          `[KW Group (IT)] This installer needs administrator rights: start it again with  sudo bash ${file}`,
        );
        expect(spawnSync('ls', ['-A', tmp], { encoding: 'utf8' }).stdout).toBe('');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('the Windows script, which always runs elevated', () => {
  it('never runs a node.exe found on PATH: the agent runs on its own checksummed download', () => {
    const script = renderInstallerTemplate(realTemplate('windows'), VALUES);
    expect(script).not.toMatch(/Get-Command\s+node/i);
    expect(script).not.toContain('$env:Path');
    // Every way the script runs node is through the runtime Get-QsNode downloaded and verified.
    expect(script.match(/\$node = .*/g)).toEqual(['$node = Get-QsNode $workDir']);
  });
});

describe('renderInstallerTemplate', () => {
  describe.each(INSTALLER_OSES)('fixture template for %s', (os) => {
    it('fills every placeholder with its value, changes nothing else, and parses', () => {
      const text = fixtureTemplate(os);
      const out = renderInstallerTemplate(text, VALUES);
      const expected = (Object.keys(PLACEHOLDERS) as (keyof InstallerValues)[]).reduce(
        (acc, key) => acc.split(PLACEHOLDERS[key]).join(VALUES[key]),
        text,
      );
      expect(out).toBe(expected);
      expect(out).not.toContain('@@QS_');
      expect(out).toContain(VALUES.installerToken);
      syntaxCheck(os, out);
    });
  });

  const template = fixtureTemplate('linux');

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
      { language: 'xx' },
      { language: 'DE' },
      { language: 'de-DE' },
      { language: 'de ' },
      { language: '' },
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
