// Bundles the agent into one file for Node >= 18 with no native addons: `npm run build:agent`.
// `node agent/build.mjs <outfile>` writes elsewhere (tests build into a scratch folder).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist', 'agent', 'agent.js');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, 'agent', 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  define: {
    __AGENT_VERSION__: JSON.stringify(version),
    // ws loads these optional native addons when present; the agent must never need them.
    'process.env.WS_NO_BUFFER_UTIL': '"1"',
    'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
  },
  external: ['bufferutil', 'utf-8-validate'],
  // noVNC's DES (VNC Authentication to the x11vnc the agent starts): its package "exports" list only
  // core/rfb.js, so the subpath is mapped to the file (agent/src/types/novnc-des.d.ts types it).
  alias: {
    '@novnc/novnc/core/crypto/des.js': join(
      root,
      'node_modules',
      '@novnc',
      'novnc',
      'core',
      'crypto',
      'des.js',
    ),
  },
  logLevel: 'warning',
});
const sha = createHash('sha256').update(readFileSync(outfile)).digest('hex');
console.log(`agent bundle: ${outfile} (${readFileSync(outfile).length} bytes, sha256 ${sha})`);
