import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { PROJECT_ROOT } from '../../../src/version';

/** The Linux x64 Node binary of the `node` npm package (the project's pinned Node 24). */
export const NODE_PACKAGE_BINARY = join(PROJECT_ROOT, 'node_modules', 'node', 'bin', 'node');

function nodePackageVersion(): string {
  return execFileSync(NODE_PACKAGE_BINARY, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
}

/**
 * A Node.js dist mirror in `root`, laid out like nodejs.org/dist: `latest-v24.x/SHASUMS256.txt` and
 * `latest-v24.x/node-v<version>-linux-x64.tar.gz` (the tarball holds `node-v…/bin/node`), under
 * `good/`; `bad/` serves the same tarball with a wrong checksum.
 */
export function buildNodeMirror(root: string): { version: string; file: string } {
  const version = nodePackageVersion();
  const name = `node-v${version}-linux-x64`;
  const stage = join(root, 'stage', name, 'bin');
  mkdirSync(stage, { recursive: true });
  copyFileSync(NODE_PACKAGE_BINARY, join(stage, 'node'));
  const dir = join(root, 'good', 'latest-v24.x');
  mkdirSync(dir, { recursive: true });
  const file = `${name}.tar.gz`;
  execFileSync('tar', [
    '--use-compress-program=gzip -1',
    '-cf',
    join(dir, file),
    '-C',
    join(root, 'stage'),
    name,
  ]);
  const sum = createHash('sha256')
    .update(readFileSync(join(dir, file)))
    .digest('hex');
  writeFileSync(
    join(dir, 'SHASUMS256.txt'),
    `${'0'.repeat(64)}  node-v${version}-darwin-arm64.tar.gz\n${sum}  ${file}\n`,
  );
  const bad = join(root, 'bad', 'latest-v24.x');
  mkdirSync(bad, { recursive: true });
  copyFileSync(join(dir, file), join(bad, file));
  writeFileSync(join(bad, 'SHASUMS256.txt'), `${'ab'.repeat(32)}  ${file}\n`);
  return { version, file };
}

/** Serves `root` read-only on loopback; returns its base URL. */
export async function serveDirectory(
  root: string,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
    requests.push(path);
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
