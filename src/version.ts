import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root: the nearest folder above this file holding the project's package.json. */
export const PROJECT_ROOT: string = (() => {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
})();

/** The product version, from package.json. */
export const PORTAL_VERSION: string = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
