import { LANGUAGES } from './i18n/language';

/**
 * The contract between the agent's per-OS install-script templates (`agent/templates/`) and the
 * portal's Installers module, which fills them. A template holds these placeholders and nothing else
 * variable; the renderer substitutes each one only after checking the value against its allow-list
 * pattern, and refuses to render at all if any check fails or any placeholder is left over.
 */
export type InstallerOs = 'windows' | 'macos' | 'linux';
export const INSTALLER_OSES: readonly InstallerOs[] = ['windows', 'macos', 'linux'];

export type InstallerMode = 'quick' | 'persistent';

/** Template file per OS, relative to `agent/templates/`. */
export const TEMPLATE_FILES: Readonly<Record<InstallerOs, string>> = {
  windows: 'windows.ps1',
  macos: 'macos.sh',
  linux: 'linux.sh',
};

/** Served file name suffix per OS (the base name comes from INSTALLER_BASE_NAME). */
export const SERVED_EXTENSIONS: Readonly<Record<InstallerOs, string>> = {
  windows: '.exe',
  macos: '.dmg',
  linux: '.sh',
};

export interface InstallerValues {
  /** The portal's public origin, e.g. https://portal.example.com (from config, never the Host header). */
  portalUrl: string;
  /** The one-shot installer token (base64url). */
  installerToken: string;
  /** Brand shown in the script's messages. */
  brandName: string;
  mode: InstallerMode;
  /** The language the agent speaks to the customer (contracts/i18n/language.ts: an offered code). */
  language: string;
  /** The bundled agent (dist/agent/agent.js), base64. */
  agentBundleB64: string;
  /** SHA-256 of the bundled agent, hex. */
  agentSha256: string;
  /** Base URL of a Node.js runtime mirror ('' = none: the official dist URL is the fallback). */
  nodeMirrorUrl: string;
}

export const PLACEHOLDERS: Readonly<Record<keyof InstallerValues, string>> = {
  portalUrl: '@@QS_PORTAL_URL@@',
  installerToken: '@@QS_INSTALLER_TOKEN@@',
  brandName: '@@QS_BRAND_NAME@@',
  mode: '@@QS_MODE@@',
  language: '@@QS_LANGUAGE@@',
  agentBundleB64: '@@QS_AGENT_BUNDLE_B64@@',
  agentSha256: '@@QS_AGENT_SHA256@@',
  nodeMirrorUrl: '@@QS_NODE_MIRROR_URL@@',
};

/**
 * The allow-list for each value. None admits a quote of any kind, `$`, a backtick, a backslash,
 * `%`, `;`, `&`, `|`, `<`, `>`, whitespace other than a plain space in the brand, CR/LF or NUL, so a
 * value can sit inside single or double quotes in sh, bash and PowerShell without changing meaning.
 */
export const VALUE_PATTERNS: Readonly<Record<keyof InstallerValues, RegExp>> = {
  portalUrl: /^https?:\/\/[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$/,
  installerToken: /^[A-Za-z0-9_-]{22,128}$/,
  brandName: /^[A-Za-z0-9 .,()-]{1,60}$/,
  mode: /^(quick|persistent)$/,
  language: new RegExp(`^(${LANGUAGES.join('|')})$`),
  agentBundleB64: /^[A-Za-z0-9+/]+={0,2}$/,
  agentSha256: /^[0-9a-f]{64}$/,
  nodeMirrorUrl: /^(|https?:\/\/[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(\/[A-Za-z0-9._~\/-]{0,200})?)$/,
};
