// @ts-check
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The portal's feature modules (src/<module>/) reach each other only through what each one exports:
 * its Nest module, the services that module exports, its errors, entities and DTOs, and the few
 * functions and event types other modules are meant to call. Everything else in a module folder
 * (queries, mappers, guards, controllers, jobs, helpers) is internal to it.
 *
 * Folders not listed here (common/, config/, database/, logging/) are shared libraries open to all.
 * The composition root (src/*.ts: app.module, app-setup, main) may import anything.
 *
 * A file's path is relative to its module folder, without the extension; `dto/*` and `entities/*` stand
 * for every file in those folders.
 * @type {Record<string, string[]>}
 */
export const MODULE_SURFACE = {
  access: [
    'access.module',
    'access.service',
    'access.decorator',
    'access.errors',
    'access-rules',
    'access-withdrawals',
  ],
  'agent-control': ['agent-control.module', 'agent-control.service', 'agent-control.errors'],
  'agent-registration': ['agent-registration.module'],
  'audit-log': ['audit-log.module'],
  audit: ['audit.module', 'audit.service', 'audit.errors', 'entities/*'],
  auth: ['auth.module', 'auth.service', 'live-logins.service'],
  branding: ['branding.module', 'branding.service'],
  devices: [
    'devices.module',
    'devices.service',
    'devices.errors',
    'device-events',
    'device-presence',
    'entities/*',
    'dto/*',
  ],
  health: ['health.module'],
  // Global: every module counts into PortalMetrics and runs its periodic jobs through ScheduledJobs.
  metrics: ['metrics.module', 'portal-metrics', 'scheduled-jobs'],
  installers: ['installers.module', 'installers.service', 'installer-tokens.service', 'install-commands'],
  'quick-support': ['quick-support.module', 'quick-support.service', 'quick-support-events'],
  recordings: [
    'recordings.module',
    'recordings.service',
    'recording-integrity.service',
    'recording-ingest.service',
    'recording-retention.job',
    'recording-sweep.job',
    'command-recorder',
    'entities/*',
  ],
  'relay-link': ['relay-link.module', 'relay-token.service', 'relay-events.service', 'relay-control.service'],
  'remote-help': ['remote-help.module'],
  'remote-sessions': ['remote-sessions.module', 'remote-sessions.service', 'remote-session-ending.service'],
  'support-chat': ['support-chat.module'],
  users: ['users.module', 'users.service', 'account-revocations', 'entities/*', 'dto/*'],
};

/** The shared libraries under src/: every file in them is open to every module. */
export const SHARED_LIBRARIES = ['common', 'config', 'database', 'logging'];

/** @param {string} inner @param {string[]} surface */
function isPublic(inner, surface) {
  return surface.some((p) =>
    p.endsWith('/*')
      ? inner.startsWith(p.slice(0, -1)) && !inner.slice(p.length - 1).includes('/')
      : inner === p,
  );
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'A portal module reaches another only through what that module exports.' },
    schema: [],
    messages: {
      internal:
        "'{{target}}' is internal to the {{module}} module: reach it through what {{module}} exports ({{surface}}), or add it to MODULE_SURFACE in eslint/module-surface.mjs if it is meant to be public.",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = relative(root, context.filename).split(sep).join('/');
    const parts = file.split('/');
    // Only files inside a module folder: src/<module>/...
    if (parts[0] !== 'src' || parts.length < 3) return {};
    const own = parts[1];

    /** @param {import('estree').Node & { source?: import('estree').Node | null }} node */
    function check(node) {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('.')) return;
      const target = relative(root, resolve(dirname(context.filename), spec))
        .split(sep)
        .join('/');
      const t = target.split('/');
      if (t[0] !== 'src' || t.length < 3 || t[1] === own) return;
      const surface = MODULE_SURFACE[t[1]];
      if (!surface) return;
      const inner = t
        .slice(2)
        .join('/')
        .replace(/\.(ts|js)$/, '');
      if (isPublic(inner, surface)) return;
      context.report({
        node: source,
        messageId: 'internal',
        data: { target: `src/${t[1]}/${inner}`, module: t[1], surface: surface.join(', ') },
      });
    }

    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default rule;
