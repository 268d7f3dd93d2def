import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLER_OSES, PLACEHOLDERS, TEMPLATE_FILES, type InstallerOs, type InstallerValues } from '../../contracts/installer-template';
import { renderInstallerTemplate } from '../../src/installers/template-renderer';

/**
 * The per-OS install-script templates (agent/templates/) against the contract in
 * contracts/installer-template.ts: golden files of the rendered scripts (UPDATE_GOLDEN=1 rewrites
 * them), every placeholder used only inside single quotes, hostile values refused before anything is
 * rendered, and the shell outputs parsed by bash.
 */
const TEMPLATES = join(__dirname, '..', 'templates');
const GOLDEN = join(TEMPLATES, 'golden');
const template = (os: InstallerOs): string => readFileSync(join(TEMPLATES, TEMPLATE_FILES[os]), 'utf8');
const BUNDLE = Buffer.from("console.log('agent');\n");
const VALUES: InstallerValues = {
  portalUrl: 'https://portal.example.com',
  installerToken: 'TOKEN_abcdefghijklmnopqrstuvwxyz012345',
  brandName: 'KW Group (IT)',
  mode: 'quick',
  agentBundleB64: BUNDLE.toString('base64'),
  agentSha256: createHash('sha256').update(BUNDLE).digest('hex'),
  nodeMirrorUrl: 'https://portal.example.com/node-mirror',
};

describe.each(INSTALLER_OSES)('%s install template', (os) => {
  const text = template(os);

  it('matches its golden rendering', () => {
    const rendered = renderInstallerTemplate(text, VALUES);
    const file = join(GOLDEN, `${TEMPLATE_FILES[os]}.golden`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, rendered);
    }
    expect(rendered).toBe(readFileSync(file, 'utf8'));
  });

  it('uses every placeholder, each only inside single quotes', () => {
    for (const placeholder of Object.values(PLACEHOLDERS)) {
      const all = text.split(placeholder).length - 1;
      const quoted = text.split(`'${placeholder}'`).length - 1;
      expect({ placeholder, all, quoted: quoted === all }).toEqual({ placeholder, all: expect.any(Number), quoted: true });
      expect(all).toBeGreaterThan(0);
    }
    const known = new Set<string>(Object.values(PLACEHOLDERS));
    expect(text.match(/@@QS_[A-Z0-9_]+@@/g)?.every((p) => known.has(p))).toBe(true);
  });

  it('verifies the bundle against the SHA-256 before running it, and runs it last', () => {
    const verify = text.indexOf(os === 'windows' ? 'Get-FileHash -Algorithm SHA256 -LiteralPath $agent' : '[ "$actual" = "$AGENT_SHA256" ]');
    const run = text.indexOf(os === 'windows' ? '& $node $agent run' : '"$NODE_BIN" "$WORK_DIR/agent.js" run');
    expect(verify).toBeGreaterThan(0);
    expect(run).toBeGreaterThan(0);
    const main = os === 'windows' ? 'Invoke-QsMain' : 'main "$@"';
    expect(text.trimEnd().endsWith(main)).toBe(true);
  });

  const HOSTILE = [
    "'",
    '"',
    '`',
    '\u2018',
    '\u2019',
    '\u201a',
    '\u201b',
    '\u201c',
    '\u201d',
    '$(id)',
    '${IFS}',
    '`id`',
    'a\rb',
    'a\nb',
    'a\u0000b',
    'a;b',
    'a&b',
    'a|b',
    'a<b',
    '%TEMP%',
    'a\\b',
    '$env:TEMP',
  ];
  it.each(Object.keys(PLACEHOLDERS) as (keyof InstallerValues)[])('refuses to render when %s holds a hostile value', (key) => {
    for (const bad of HOSTILE) {
      const value = key === 'portalUrl' || key === 'nodeMirrorUrl' ? `https://portal.example.com/${bad}` : `${VALUES[key]}${bad}`;
      expect(() => renderInstallerTemplate(text, { ...VALUES, [key]: value })).toThrow();
    }
  });
});

const hasBash = spawnSync('bash', ['--version']).status === 0;
const describeBash = hasBash && process.platform !== 'win32' ? describe : describe.skip;

describeBash('rendered shell scripts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qs-templates-'));
    chmodSync(dir, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['linux', 'macos'] as const)('%s parses with bash -n', (os) => {
    const file = join(dir, `${os}.sh`);
    writeFileSync(file, renderInstallerTemplate(template(os), VALUES));
    const check = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  const canDropPrivileges = typeof process.getuid === 'function' && process.getuid() === 0 && spawnSync('runuser', ['--help']).status === 0;
  (canDropPrivileges ? it : it.skip)('explains in one sentence when not started with sudo, and leaves nothing', () => {
    const file = join(dir, 'linux-user.sh');
    writeFileSync(file, renderInstallerTemplate(template('linux'), VALUES), { mode: 0o644 });
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp, { mode: 0o777 });
    chmodSync(tmp, 0o777);
    const run = spawnSync('runuser', ['-u', 'nobody', '--', 'bash', file], { encoding: 'utf8', env: { PATH: process.env.PATH, TMPDIR: tmp } });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`[KW Group (IT)] This installer needs administrator rights: start it again with  sudo bash ${file}`);
    expect(spawnSync('ls', ['-A', tmp], { encoding: 'utf8' }).stdout).toBe('');
  });
});
