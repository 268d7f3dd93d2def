import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The product version from package.json, found by walking up from this file (source or dist/). */
export function readRelayVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
