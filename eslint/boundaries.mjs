// @ts-check
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Which parts of the repository each part may import, by the path an import resolves to (so
 * `./../src/x`, `../../main/src/x`, `require()` and `import()` are judged the same as `../src/x`).
 *
 * Zones: `src` (the portal), `relay`, `agent`, `client` (the dashboard, runs in a browser),
 * `contracts` (pure: types, constants, parsers that run in a browser too; every folder of contracts/
 * but node/), `contracts/node` (Node-only contracts), `test`, `bench`, and `outside` (anything that
 * leaves the repository). The relay and the agent are separate processes and never import the portal;
 * contracts/ is imported by every side and imports none of them; the dashboard reaches only the pure
 * contracts. `pure` zones may not import Node's built-in modules either.
 * @type {Record<string, { may: string[], pure?: boolean, why: string }>}
 */
export const ZONES = {
  src: {
    may: ['src', 'contracts', 'contracts/node', 'migrations'],
    why: 'The portal shares with the other processes through contracts/.',
  },
  relay: {
    may: ['relay', 'contracts', 'contracts/node'],
    why: 'The relay runs without the portal: share through contracts/.',
  },
  agent: {
    may: ['agent', 'contracts', 'contracts/node'],
    why: 'The agent runs without the portal: share through contracts/.',
  },
  client: {
    may: ['client', 'contracts'],
    pure: true,
    why: 'The dashboard runs in a browser: share through the pure contracts/ modules (not contracts/node/).',
  },
  contracts: {
    may: ['contracts'],
    pure: true,
    why: 'contracts/ outside contracts/node/ runs in browsers too and imports no side: Node-only code goes in contracts/node/.',
  },
  'contracts/node': {
    may: ['contracts', 'contracts/node'],
    why: 'contracts/ is imported by every side and imports none of them.',
  },
};

/** Specs beside the code may also read the shared test support and use Node (they run in jest). */
const SPEC = /\.spec\.ts$/;

/** @param {string} path repository-relative, with / */
export function zoneOf(path) {
  if (path === '..' || path.startsWith('../')) return 'outside';
  const [top, second] = path.split('/');
  if (top === 'contracts') return second === 'node' ? 'contracts/node' : 'contracts';
  return top;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Each part of the repository imports only the parts it may (eslint/boundaries.mjs).',
    },
    schema: [],
    messages: {
      refused: "'{{spec}}' ({{target}}) may not be imported from {{zone}}/: {{why}}",
      builtin: "'{{spec}}' is a Node built-in, and {{zone}}/ runs in a browser: {{why}}",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = relative(root, context.filename).split(sep).join('/');
    const zone = zoneOf(file);
    const policy = ZONES[zone];
    if (!policy) return {};
    const spec = SPEC.test(file);

    /** @param {import('estree').Node | null | undefined} source */
    function check(source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const value = source.value;
      if (value.startsWith('.') || value.startsWith('/')) {
        const target = relative(root, resolve(dirname(context.filename), value))
          .split(sep)
          .join('/');
        const to = zoneOf(target);
        if (policy.may.includes(to) || (spec && to === 'test')) return;
        context.report({
          node: source,
          messageId: 'refused',
          data: { spec: value, target, zone, why: policy.why },
        });
      } else if (policy.pure && !spec && isBuiltin(value)) {
        context.report({ node: source, messageId: 'builtin', data: { spec: value, zone, why: policy.why } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportEqualsDeclaration: (/** @type {any} */ node) => check(node.moduleReference?.expression),
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments.length === 1
        )
          check(/** @type {import('estree').Node} */ (node.arguments[0]));
      },
    };
  },
};

export default rule;
