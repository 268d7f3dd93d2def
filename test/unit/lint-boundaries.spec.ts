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
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' || ruleId === 'no-restricted-globals',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${source}';\nexport const y = x;\n`, {
    filePath: join(ROOT, filePath),
  });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
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
  ['contracts/agent-protocol/probe.ts', '../../src/version', 'contracts (nested) → src'],
  ['contracts/agent-protocol/probe.ts', '../node/relay-keys', 'pure contracts folder → Node-only contracts'],
  ['contracts/agent-protocol/probe.ts', 'node:crypto', 'pure contracts folder → Node built-ins'],
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
  ['contracts/agent-protocol/probe.ts', '../relay-subject', 'pure contracts folder → pure contracts'],
  ['contracts/agent-protocol/probe.ts', './field-reader', 'pure contracts folder → itself'],
  ['contracts/agent-protocol/probe.spec.ts', 'node:fs', 'a pure contract’s spec (nested) → Node built-ins'],
  ['contracts/node/probe.ts', '../agent-protocol/limits', 'Node-only contracts → pure contracts folder'],
];

/** Node globals the pure contracts may not use (they would break in a browser), and where they may. */
const GLOBALS: [string, string, number][] = [
  ['contracts/probe.ts', 'Buffer.byteLength(x)', 1],
  ['contracts/probe.ts', 'process.env.X', 1],
  ['contracts/node/probe.ts', 'Buffer.byteLength(x)', 0],
  ['contracts/probe.spec.ts', 'Buffer.byteLength(x)', 0],
  ['contracts/agent-protocol/probe.ts', 'process.env.X', 1],
  ['contracts/agent-protocol/probe.spec.ts', 'Buffer.byteLength(x)', 0],
];

describe('lint module boundaries', () => {
  it.each(REFUSED)('%s importing %s (%s) is an error', async (file, source) => {
    const errors = await boundaryErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: /);
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
