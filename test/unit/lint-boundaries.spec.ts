import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

/**
 * The module boundaries in eslint.config.mjs, proved on deliberate violations: ESLint's Node API lints
 * one import as if it stood in a file of each folder (the file need not exist), with only the boundary
 * rule on, and must report it; the allowed imports beside them must pass.
 */
jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const eslint = new ESLint({
  cwd: ROOT,
  // Only the boundary rule: the type-aware rules would need the file to exist in a tsconfig project.
  ruleFilter: ({ ruleId }) =>
    ruleId === 'local/boundaries' || ruleId === 'no-restricted-globals' || ruleId === 'local/module-surface',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function errorsIn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  return errorsIn(filePath, `import { x } from '${source}';\nexport const y = x;\n`);
}

const REFUSED: [string, string, string][] = [
  ['relay/probe.ts', '../src/config/app-config', 'relay → src'],
  ['relay/sub/probe.ts', '../../src/version', 'relay (nested) → src'],
  ['agent/src/probe.ts', '../../src/installers/template-renderer', 'agent → src'],
  ['agent/src/remote-help/probe.ts', '../../../src/version', 'agent (nested) → src'],
  ['contracts/probe.ts', '../src/version', 'contracts → src'],
  ['contracts/probe.ts', '../relay/config', 'contracts → relay'],
  ['contracts/probe.ts', '../agent/src/core/agent', 'contracts → agent'],
  ['contracts/probe.ts', '../client/src/app/app.config', 'contracts → client'],
  ['client/src/app/viewer/probe.ts', '../../../../src/version', 'client → src'],
  ['client/src/app/viewer/probe.ts', '../../../../relay/config', 'client → relay'],
  ['client/src/app/viewer/probe.ts', '../../../../agent/src/core/agent', 'client → agent'],
  [
    'client/src/app/viewer/probe.ts',
    '../../../../contracts/node/relay-token',
    'client → Node-only contracts',
  ],
  ['client/src/app/probe.ts', '../../../contracts/node', 'client → the contracts/node folder'],
  ['contracts/probe.ts', './node/relay-keys', 'pure contracts → Node-only contracts'],
  ['contracts/probe.ts', 'node:crypto', 'pure contracts → Node built-ins'],
  ['contracts/node/probe.ts', '../../src/version', 'Node-only contracts → src'],
  ['contracts/api/probe.ts', '../../src/users/dto/user.dto', 'API contracts → src'],
  ['contracts/api/probe.ts', '../../client/src/app/auth/user.model', 'API contracts → client'],
  ['contracts/api/probe.ts', '../node/relay-token', 'API contracts → Node-only contracts'],
  ['contracts/api/probe.ts', 'node:crypto', 'API contracts → Node built-ins'],
  ['contracts/agent-protocol/probe.ts', '../../src/version', 'contracts (nested) → src'],
  ['contracts/agent-protocol/probe.ts', '../node/relay-keys', 'pure contracts folder → Node-only contracts'],
  ['contracts/agent-protocol/probe.ts', 'node:crypto', 'pure contracts folder → Node built-ins'],
];

/** The same crossings spelled so a pattern on the import text would miss them: judged by where they lead. */
const REFUSED_SPELLINGS: [string, string, string][] = [
  ['relay/probe.ts', './../src/version', 'relay → src, through ./'],
  ['agent/src/probe.ts', '../../relay/../src/version', 'agent → src, through relay/..'],
  ['relay/probe.ts', '../../main/src/version', 'relay → outside the repository'],
  ['client/src/app/probe.ts', '../../../test/support/test-app', 'client → test'],
  ['client/src/app/probe.ts', 'node:crypto', 'client → Node built-ins'],
  ['client/src/app/probe.ts', 'crypto', 'client → Node built-ins without node:'],
  ['contracts/api/probe.ts', 'crypto', 'pure contracts → Node built-ins without node:'],
  ['contracts/api/sub/probe.ts', '../../../src/version', 'a deeper pure contracts folder → src'],
  ['agent/src/probe.spec.ts', '../../src/version', 'an agent spec → src'],
];

const ALLOWED: [string, string, string][] = [
  ['relay/probe.ts', '../contracts/node/relay-token', 'relay → contracts'],
  ['agent/src/probe.ts', '../../contracts/agent-protocol/version', 'agent → contracts'],
  ['agent/src/remote-help/probe.ts', '../core/agent', 'agent → agent'],
  ['agent/src/remote-help/probe.ts', '../../src/core/agent', 'agent → its own src/ by the long way'],
  ['contracts/probe.ts', './relay-close-codes', 'contracts → contracts'],
  ['client/src/app/viewer/probe.ts', '../../../../contracts/relay-close-codes', 'client → contracts'],
  ['client/src/app/viewer/probe.ts', '../core/server-events', 'client → client'],
  ['src/probe.ts', '../contracts/node/relay-token', 'src → contracts'],
  ['client/src/app/viewer/probe.ts', '../../../../contracts/relay-connect', 'client → pure contracts'],
  [
    'client/src/app/viewer/probe.ts',
    '../../../../contracts/agent-protocol/channel-frames',
    'client → shell frames',
  ],
  ['contracts/node/probe.ts', 'node:crypto', 'Node-only contracts → Node built-ins'],
  ['contracts/node/probe.ts', '../relay-subject', 'Node-only contracts → pure contracts'],
  ['contracts/probe.spec.ts', 'node:fs', 'a pure contract’s spec → Node built-ins'],
  ['contracts/api/probe.ts', './devices', 'API contracts → API contracts'],
  ['contracts/api/probe.ts', '../installer-template', 'API contracts → pure contracts'],
  ['contracts/api/probe.spec.ts', 'node:fs', 'an API contract’s spec → Node built-ins'],
  ['client/src/app/devices/probe.ts', '../../../../contracts/api/devices', 'client → API contracts'],
  ['src/devices/dto/probe.ts', '../../../contracts/api/devices', 'portal DTOs → API contracts'],
  ['contracts/agent-protocol/probe.ts', '../relay-subject', 'pure contracts folder → pure contracts'],
  ['contracts/agent-protocol/probe.ts', './field-reader', 'pure contracts folder → itself'],
  ['contracts/agent-protocol/probe.spec.ts', 'node:fs', 'a pure contract’s spec (nested) → Node built-ins'],
  ['contracts/node/probe.ts', '../agent-protocol/limits', 'Node-only contracts → pure contracts folder'],
  ['contracts/agent-protocol/probe.spec.ts', '../../test/support/protocol-fixtures', 'a spec → test support'],
  ['src/database/probe.ts', '../../migrations', 'the portal → its migrations'],
  ['relay/probe.ts', 'ws', 'relay → a package'],
];

/** Node globals the pure contracts may not use (they would break in a browser), and where they may. */
const GLOBALS: [string, string, number][] = [
  ['contracts/probe.ts', 'Buffer.byteLength(x)', 1],
  ['contracts/probe.ts', 'process.env.X', 1],
  ['contracts/node/probe.ts', 'Buffer.byteLength(x)', 0],
  ['contracts/probe.spec.ts', 'Buffer.byteLength(x)', 0],
  ['contracts/api/probe.ts', 'Buffer.byteLength(x)', 1],
  ['contracts/api/probe.ts', 'process.env.X', 1],
  ['contracts/agent-protocol/probe.ts', 'process.env.X', 1],
  ['contracts/agent-protocol/probe.spec.ts', 'Buffer.byteLength(x)', 0],
  ['contracts/api/sub/probe.ts', 'Buffer.byteLength(x)', 1],
];

describe('lint module boundaries', () => {
  it.each([...REFUSED, ...REFUSED_SPELLINGS])('%s importing %s (%s) is an error', async (file, source) => {
    const errors = await boundaryErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^local\/boundaries: '.+' (\(.+\) may not be imported from|is a Node built-in)/,
    );
  });

  it.each([
    ['require', `const x = require('../src/version');\nexport const y = x;\n`],
    ['import()', `export const y = import('../src/version');\n`],
    ['export … from', `export { x } from '../src/version';\n`],
    ['export * from', `export * from '../src/version';\n`],
  ])('the relay reaching the portal through %s is an error too', async (_form, code) => {
    const errors = await errorsIn('relay/probe.ts', code);
    expect(errors.filter((e) => e.startsWith('local/boundaries: '))).toHaveLength(1);
  });

  it.each(ALLOWED)('%s importing %s (%s) passes', async (file, source) => {
    await expect(boundaryErrors(file, source)).resolves.toEqual([]);
  });

  it.each(GLOBALS)('%s using %s has %d error(s)', async (file, expression, count) => {
    const [result] = await eslint.lintText(`const x = 'a';\nexport const y = ${expression};\n`, {
      filePath: join(ROOT, file),
    });
    expect(result.messages.map((m) => m.ruleId)).toEqual(Array(count).fill('no-restricted-globals'));
  });
});

/** Portal modules reach each other only through what each exports (eslint/module-surface.mjs). */
const MODULE_REFUSED: [string, string, string][] = [
  ['src/remote-help/probe.ts', '../quick-support/support-notes.service', 'a service the module keeps'],
  ['src/devices/probe.ts', '../remote-sessions/remote-sessions.controller', 'another module’s controller'],
  ['src/quick-support/connect/probe.ts', '../../audit/audit-outbox.job', 'from a module’s subfolder'],
  ['src/users/probe.ts', '../auth/live-login.interceptor', 'an interceptor'],
  ['src/audit/probe.ts', '../devices/dto/sub/x', 'below the public dto/ folder'],
];

const MODULE_ALLOWED: [string, string, string][] = [
  ['src/remote-help/probe.ts', '../audit/audit.service', 'an exported service'],
  ['src/remote-help/probe.ts', '../audit/audit.module', 'a Nest module'],
  ['src/devices/probe.ts', '../users/entities/user.entity', 'an entity'],
  ['src/devices/probe.ts', '../common/domain-error', 'a shared library'],
  ['src/quick-support/connect/probe.ts', '../connect-page.renderer', 'inside its own module'],
  ['src/app.module.ts', './quick-support/quick-support-expiry.job', 'the composition root'],
];

describe('lint: a portal module reaches another only through what it exports', () => {
  async function surfaceErrors(filePath: string, source: string): Promise<string[]> {
    const prefix = 'local/module-surface: ';
    const errors = await boundaryErrors(filePath, source);
    return errors.filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
  }

  it.each(MODULE_REFUSED)('%s importing %s (%s) is an error', async (file, source) => {
    const errors = await surfaceErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/is internal to the [a-z-]+ module: reach it through what/);
  });

  it.each(MODULE_ALLOWED)('%s importing %s (%s) passes', async (file, source) => {
    await expect(surfaceErrors(file, source)).resolves.toEqual([]);
  });

  it('knows every folder under src/ as a module with a public surface or as a shared library', async () => {
    const { MODULE_SURFACE, SHARED_LIBRARIES } = (await import(
      join(ROOT, 'eslint', 'module-surface.mjs')
    )) as { MODULE_SURFACE: Record<string, string[]>; SHARED_LIBRARIES: string[] };
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect([...Object.keys(MODULE_SURFACE), ...SHARED_LIBRARIES].sort()).toEqual(folders);
  });
});

describe('lint: refusals are made in the errors files', () => {
  const errorsLint = new ESLint({
    cwd: ROOT,
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-syntax',
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  });
  const code = `import { DomainError, ErrorCode } from '../common/domain-error';
export const refuse = () => new DomainError(ErrorCode.NotFound, 'There is no such thing.');
`;

  it.each([
    ['src/devices/devices.service.ts', 1],
    ['src/common/guards/probe.guard.ts', 1],
    ['src/devices/devices.errors.ts', 0],
    ['src/common/common.errors.ts', 0],
    ['src/devices/probe.spec.ts', 0],
  ])('new DomainError(…) in %s has %d error(s)', async (file, count) => {
    const [result] = await errorsLint.lintText(code, { filePath: join(ROOT, file) });
    expect(result.messages.map((m) => m.ruleId)).toEqual(Array(count).fill('no-restricted-syntax'));
  });
});
