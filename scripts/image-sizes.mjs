// What each image's final stage copies, in bytes, computed from this checkout (no Docker needed):
// `node scripts/image-sizes.mjs` after `npm run build` (`--json` for test/unit/deployment-files.spec.ts). The base image (node:24-bookworm-slim) comes on
// top. The relay's bundle is built into a scratch folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');

/** Bytes of the files under `path` (a file, or a folder followed recursively; links counted as such). */
export function sizeOf(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** The lockfile's packages `npm prune --omit=dev --omit=optional` keeps. */
export function productionPackages() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages)
    .filter(([key, p]) => key.startsWith('node_modules/') && !p.dev && !p.optional && !p.devOptional)
    .map(([key]) => key);
}

export function portalContents() {
  const modules = productionPackages()
    .filter((key) => !key.slice('node_modules/'.length).includes('/node_modules/'))
    .reduce((sum, key) => sum + sizeOf(join(root, key)), 0);
  const parts = {
    node_modules: modules,
    'dist/src': sizeOf(join(root, 'dist/src')),
    'dist/contracts': sizeOf(join(root, 'dist/contracts')),
    'dist/migrations': sizeOf(join(root, 'dist/migrations')),
    'dist/client': sizeOf(join(root, 'dist/client')),
    'dist/agent': sizeOf(join(root, 'dist/agent')),
    'agent/templates': sizeOf(join(root, 'agent/templates')),
    migrations: sizeOf(join(root, 'migrations')),
    'package.json': sizeOf(join(root, 'package.json')),
  };
  return parts;
}

export function relayContents() {
  const out = mkdtempSync(join(tmpdir(), 'relay-image-'));
  try {
    execFileSync(process.execPath, [join(root, 'relay', 'build.mjs'), out], { stdio: 'ignore' });
    return {
      'dist/relay': sizeOf(join(out, 'relay')),
      'package.json': sizeOf(join(out, 'package.json')),
      'node_modules/bufferutil': sizeOf(join(root, 'node_modules/bufferutil')),
      'node_modules/node-gyp-build': sizeOf(join(root, 'node_modules/node-gyp-build')),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const images = { portal: portalContents(), relay: relayContents() };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(images));
    process.exit(0);
  }
  for (const [name, parts] of [
    ['portal (Dockerfile)', images.portal],
    ['relay (Dockerfile.relay)', images.relay],
  ]) {
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    console.log(`${name}: ${mb(total)} on top of node:24-bookworm-slim`);
    for (const [part, bytes] of Object.entries(parts)) console.log(`  ${part.padEnd(28)} ${mb(bytes)}`);
  }
}
