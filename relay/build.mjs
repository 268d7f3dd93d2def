// Bundles the relay into one file for its container image: `npm run build:relay` (dist/relay-bundle/).
// `node relay/build.mjs <outdir>` writes elsewhere (tests build into a scratch folder). Only the relay's
// own code and what it imports (ws, pino, contracts/) go in: no Nest, no TypeORM, no PostgreSQL, no
// Angular. bufferutil stays outside: a native addon, installed beside the bundle (Dockerfile.relay).
import { build } from 'esbuild';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist', 'relay-bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const locked = (name) => lock.packages[`node_modules/${name}`].version;

const result = await build({
  entryPoints: [join(root, 'relay', 'main.ts')],
  outfile: join(outdir, 'relay', 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  // Packages' ES builds first: they tree-shake, so the AWS SDK (the S3 recording store) costs ≈ 490 KB
  // instead of ≈ 620 KB. Packages with "exports" (ws, pino) resolve as before.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // ws loads these optional native addons when present: bufferutil is installed beside the bundle.
  external: ['bufferutil', 'utf-8-validate'],
  metafile: true,
  logLevel: 'warning',
});
// The relay reads its version from the nearest package.json (relay/version.ts); the image needs only
// that and the one native dependency, pinned as in the lockfile.
writeFileSync(
  join(outdir, 'package.json'),
  JSON.stringify(
    {
      name: `${pkg.name}-relay`,
      version: pkg.version,
      private: true,
      // node-gyp-build (bufferutil's loader) pinned too, so nothing is resolved at image build time.
      dependencies: { bufferutil: locked('bufferutil'), 'node-gyp-build': locked('node-gyp-build') },
    },
    null,
    2,
  ) + '\n',
);
// What went into the bundle (test/unit/deployment-files.spec.ts checks no portal code is among it).
const inputs = Object.keys(result.metafile.inputs);
writeFileSync(join(outdir, 'inputs.json'), JSON.stringify(inputs, null, 1) + '\n');
const size = statSync(join(outdir, 'relay', 'main.js')).size;
console.log(`relay bundle: ${join(outdir, 'relay', 'main.js')} (${size} bytes, ${inputs.length} inputs)`);
